import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

export interface ExampleApp {
  url: string;
  process: ChildProcess;
  /** What the app wrote to stderr (its warnings), for failure messages. */
  stderr: string[];
  stop(): Promise<void>;
}

/**
 * Runs an example as its README says (`node examples/NAME/server.js`) with the given environment, inside
 * network namespace `netns` when given; resolves with the address from its "listening on" line.
 */
export async function startExample(name: string, env: Record<string, string>, netns?: string): Promise<ExampleApp> {
  const command = [process.execPath, `examples/${name}/server.js`];
  const child = netns
    ? spawn('ip', ['netns', 'exec', netns, ...command], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = once(child, 'exit');
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const url = /listening on (http:\S+)/.exec(line)?.[1];
      if (url) resolve(url);
    });
    void exited.then(([code]) => reject(new Error(`examples/${name} exited (${String(code)}):\n${stderr.join('')}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    return { url: await listening, process: child, stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

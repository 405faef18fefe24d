/**
 * A real redis-server (or, with `--sentinel`, a Sentinel: the same binary) started by a test inside a
 * network namespace, and redis-cli run beside it with the same connection options (port, password, TLS).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from './_daemon.js';

export interface RedisServer {
  /** redis-cli with the server's connection options; `input` is the last argument, read from stdin (-x). */
  cli(args: string[], input?: string): string;
  /** SIGKILL: no shutdown, no last save beyond what the append-only file already holds. */
  kill(): Promise<void>;
}

/**
 * Starts `redis-server ...serverArgs` in `ns` and waits until redis-cli `...cliArgs PING` is answered
 * (`cliArgs`: -p PORT, and -a, --tls, --cacert as the server needs).
 */
export async function startRedisServer(ns: string, serverArgs: readonly string[], cliArgs: readonly string[]): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error('redis-server is not installed: apt-get install redis-server (.ci/run does)');
  const run = (args: string[], input?: string) =>
    spawnSync('ip', ['netns', 'exec', ns, 'redis-cli', '--no-auth-warning', ...cliArgs, ...(input === undefined ? [] : ['-x']), ...args],
      { encoding: 'utf8', input: input ?? '', maxBuffer: 64 * 1024 * 1024 });
  let child: ChildProcess | null = spawn('ip', ['netns', 'exec', ns, 'redis-server', ...serverArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const started = child;
  await waitFor(`redis-server ${serverArgs.join(' ')} to answer`, () => {
    if (started.exitCode !== null) throw new Error(`redis-server exited (${started.exitCode}):\n${output.join('')}`);
    return run(['PING']).stdout === 'PONG\n';
  });
  return {
    cli(args, input) {
      const r = run(args, input);
      if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    async kill() {
      if (!child || child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      child = null;
    },
  };
}

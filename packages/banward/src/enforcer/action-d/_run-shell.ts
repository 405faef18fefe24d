/**
 * Runs one action command with `/bin/sh -c`, the way fail2ban's executeCmd does: success is exit
 * status 0, and a command that outlives its timeout is killed with its whole process group (TERM,
 * then KILL). Foreign values arrive in `env`, never in the script text.
 */
import { spawn } from 'node:child_process';

export interface ShellResult {
  ok: boolean;
  /** Exit status, or null when killed by a signal. */
  code: number | null;
  timedOut: boolean;
  /** The last few KiB of stdout and stderr, for the log. */
  output: string;
}

export type ShellRunner = (script: string, env: Readonly<Record<string, string>>, timeoutSeconds: number) => Promise<ShellResult>;

const OUTPUT_LIMIT = 4096;
const KILL_GRACE_MS = 2000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export const runShell: ShellRunner = (script, env, timeoutSeconds) =>
  new Promise((resolve) => {
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    const child = spawn('/bin/sh', ['-c', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    }, Math.max(0, timeoutSeconds) * 1000);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let done = false;
    const finish = (code: number | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (killTimer && !timedOut) clearTimeout(killTimer);
      // Children left behind in the group (a backgrounded sleep) go with a timed-out command.
      if (timedOut) killGroup(child.pid, 'SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ok: code === 0 && !timedOut, code, timedOut, output: output.trim() });
    };
    child.on('error', (error) => {
      output = error.message;
      finish(null);
    });
    child.on('close', (code) => finish(code));
    // A background process may hold the pipes open: the command is over when the shell exits.
    child.on('exit', (code) => setTimeout(() => finish(code), 100).unref());
  });

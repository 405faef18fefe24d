/**
 * The one way banward runs a command (firewall tools, action.d commands, sendmail, ignorecommand).
 * Every run is bounded: it has its own process group, so a timeout ends the command and whatever it
 * started (TERM, then KILL after a grace); each output stream is capped; and the promise always
 * resolves: a command that cannot start is a result with exit status 127 (126), never a throw, so
 * no caller can be stalled or crashed by a tool.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CappedOutput } from './_capped-output.js';

export interface RunOptions {
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** Added to the daemon's environment. */
  env?: Readonly<Record<string, string>>;
  /** After this many milliseconds the process group gets SIGTERM, and SIGKILL `killGraceMs` later. */
  timeoutMs: number;
  /** Bytes kept of each of stdout and stderr (the first and the last half); default 64 KiB. */
  maxOutput?: number;
  /** Default 2 s. */
  killGraceMs?: number;
}

export interface ProcessResult {
  /** Exited with status 0 within its time. */
  ok: boolean;
  /** False when it could not start (not found, not executable). */
  started: boolean;
  /** Exit status; 127 (not found) or 126 when it could not start; null when ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** True when either stream was longer than maxOutput (its middle is left out, and says so). */
  truncated: boolean;
  /** Why it failed other than by its exit status ("timed out after 10 s", "cannot run nft: not found"). */
  reason: string | null;
}

/** Runs `script` with `/bin/sh -c`, as fail2ban runs action commands; foreign values belong in env. */
export type ScriptRunner = (script: string, options: RunOptions) => Promise<ProcessResult>;

const DEFAULT_MAX_OUTPUT = 64 * 1024;
const KILL_GRACE_MS = 2000;
/** How long the pipes may stay open after the command exited (a background child holding them). */
const DRAIN_MS = 100;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function notStarted(command: string, error: unknown): ProcessResult {
  const errno = (error as NodeJS.ErrnoException).code;
  const why = errno === 'ENOENT' ? 'not found' : error instanceof Error ? error.message : String(error);
  return {
    ok: false, started: false, code: errno === 'ENOENT' ? 127 : 126, signal: null, timedOut: false, stdout: '', stderr: '', truncated: false,
    reason: `cannot run ${command}: ${why}`,
  };
}

/** "exit status 2", "killed by SIGSEGV", or the result's reason: for log lines and errors. */
export function exitText(r: ProcessResult): string {
  return r.reason ?? (r.signal ? `killed by ${r.signal}` : `exit status ${r.code}`);
}

export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const limit = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
    const stdout = new CappedOutput(limit);
    const stderr = new CappedOutput(limit);
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        env: options.env ? { ...process.env, ...options.env } : process.env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      // Arguments spawn refuses outright (a NUL byte) are a result like any other failure to start.
      resolve(notStarted(command, error));
      return;
    }
    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      graceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? KILL_GRACE_MS);
      graceTimer.unref();
    }, Math.max(0, options.timeoutMs));
    timer.unref();
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));

    let done = false;
    const settle = (result: ProcessResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      child.stdout!.destroy();
      child.stderr!.destroy();
      resolve(result);
    };
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const finish = (): void => {
      if (!exit) return;
      // What a timed-out command left behind in its group (a backgrounded sleep) goes with it.
      if (timedOut) killGroup(child.pid, 'SIGKILL');
      const { code, signal } = exit;
      settle({
        ok: code === 0 && !timedOut, started: true, code, signal, timedOut,
        stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated,
        reason: timedOut ? `timed out after ${seconds(options.timeoutMs)}` : null,
      });
    };
    child.on('error', (error) => {
      if (child.pid === undefined) settle(notStarted(command, error));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      setTimeout(finish, DRAIN_MS).unref();
    });
    child.on('close', finish);
    if (options.input !== undefined) {
      // A tool that exits early (bad syntax) closes its stdin; its stderr tells why, not EPIPE.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
  });
}

export const runScript: ScriptRunner = (script, options) => runProcess('/bin/sh', ['-c', script], options);

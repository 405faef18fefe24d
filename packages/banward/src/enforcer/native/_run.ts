import { spawn, spawnSync } from 'node:child_process';
import type { CanRun } from '../../result.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a firewall tool; injected in tests so the generated text and the number of calls can be checked. */
export type Runner = (command: string, args: readonly string[], input?: string) => Promise<RunResult>;

export const runCommand: Runner = (command, args, input) => new Promise((resolve) => {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.on('error', (error) => resolve({ code: 127, stdout: '', stderr: error.message }));
  child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  // A tool that exits early (bad syntax) closes its stdin; its stderr tells why, not EPIPE.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
});

/** Whether a tool runs here with our privileges: canRun() is synchronous, and this is its one I/O. */
export function usable(command: string, args: readonly string[]): CanRun {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) return { ok: false, reason: `${command} cannot run: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : r.error.message}` };
  if (r.status !== 0) return { ok: false, reason: `${command} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n')[0] ?? ''}` };
  return { ok: true };
}

/** One message for a failed tool run, with its first error lines (nft's point at the offending text). */
export function failure(what: string, r: RunResult): Error {
  const detail = r.stderr.trim().split('\n').slice(0, 6).join('\n');
  return new Error(`${what} failed (exit ${r.code})${detail ? `: ${detail}` : ''}`);
}

/** Shared by the source tests: a recording context, a Map-backed position store, bounded waits, a writer process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogPosition } from './log-position.js';
import type { Logger } from '../log/logger.js';
import type { PositionStore, SourceContext, SourceLine } from './log-source.js';

export class MapPositions implements PositionStore {
  readonly map = new Map<string, LogPosition>();
  getPosition(id: string): LogPosition | undefined {
    return this.map.get(id);
  }
  setPosition(id: string, position: LogPosition): void {
    this.map.set(id, position);
  }
}

export interface Recorder {
  ctx: SourceContext;
  lines: SourceLine[];
  texts(): string[];
  warnings: string[];
}

export function recorder(positions: PositionStore = new MapPositions()): Recorder {
  const lines: SourceLine[] = [];
  const warnings: string[] = [];
  const log: Logger = {
    error: (m) => warnings.push(`error: ${m}`),
    warn: (m) => warnings.push(m),
    notice: () => {}, info: () => {}, debug: () => {},
    child: () => log,
    enabled: () => true,
  };
  return {
    ctx: { onLines: (batch) => { lines.push(...batch); }, positions, clock: () => 1_700_000_000, log },
    lines,
    texts: () => lines.map((l) => l.text),
    warnings,
  };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'banward-source-'));
}

/** Polls a condition until it holds; fails with the message (and the last state) after the deadline. */
export async function waitFor(condition: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A child process appending `line <n> …` lines through one held O_APPEND descriptor, as a daemon
 * logs. It reports progress, reopens the path on 'reopen' (a daemon's SIGHUP after logrotate), and
 * with `split` writes each line in two writes, so readers meet partial lines.
 */
const WRITER = `
const fs = require('fs');
const [path, count, split] = [process.argv[1], Number(process.argv[2]), process.argv[3] === 'split'];
let fd = fs.openSync(path, 'a');
let i = 0;
process.on('message', (m) => {
  if (m !== 'reopen') return;
  fs.closeSync(fd);
  fd = fs.openSync(path, 'a');
  process.send({ reopened: i });
});
function step() {
  for (let k = 0; k < 25 && i < count; k++, i++) {
    const line = 'line ' + i + ' ' + 'x'.repeat(60) + '\\n';
    if (split) { fs.writeSync(fd, line.slice(0, 9)); fs.writeSync(fd, line.slice(9)); }
    else fs.writeSync(fd, line);
  }
  process.send({ written: i });
  if (i < count) setTimeout(step, 1);
  else { fs.closeSync(fd); process.send({ done: i }, () => process.disconnect()); }
}
step();
`;

export interface Writer {
  child: ChildProcess;
  written(): number;
  done: Promise<void>;
  reopen(): Promise<void>;
}

export function startWriter(path: string, count: number, split = false): Writer {
  const child = spawn(process.execPath, ['-e', WRITER, path, String(count), split ? 'split' : ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let written = 0;
  let reopened: (() => void) | null = null;
  const done = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { written?: number; done?: number; reopened?: number }) => {
      if (m.written !== undefined) written = m.written;
      if (m.reopened !== undefined) reopened?.();
      if (m.done !== undefined) resolve();
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`))));
  });
  return {
    child,
    written: () => written,
    done,
    reopen: () => new Promise<void>((resolve) => { reopened = resolve; child.send('reopen'); }),
  };
}

/** The numbers of `line <n> …` texts, and how often each arrived. */
export function lineNumbers(texts: readonly string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of texts) {
    const m = /^line (\d+) x{60}$/.exec(t);
    if (!m) throw new Error(`unexpected line ${JSON.stringify(t.slice(0, 80))}`);
    counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  }
  return counts;
}

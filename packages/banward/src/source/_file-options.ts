import { watch as fsWatch } from 'node:fs';
import { resolve } from 'node:path';
import type { Checked } from '../result.js';
import type { StartMode } from './_file-tail.js';
import { hasMagic } from './_glob.js';

/** One `logpath` entry: a path or glob, and where to start in a file that has no saved position. */
export interface LogPathSpec {
  path: string;
  start?: StartMode;
  /** The jail reader's form of `start: 'tail'` (its LogPath). */
  tail?: boolean;
}

/** fs.watch's shape, injectable so tests can take inotify away. */
export type WatchFunction = typeof fsWatch;

export interface FileSourceOptions {
  /** Stable id (`<jail>:file`); each file's position is saved under `<id>:<path>`. */
  id: string;
  /** fail2ban's `logpath` entries: `path`, `path tail`, `path head`, globs, or already-split specs. */
  logpath: readonly (string | LogPathSpec)[];
  /** fail2ban's `logencoding`, as a TextDecoder label (`utf-8`, `latin1`, …); `auto` means UTF-8. */
  encoding?: string;
  /** `backend = polling`: no inotify, check every pollInterval. */
  polling?: boolean;
  /** fs.watch, or null when it is unavailable (the source then polls). */
  watch?: WatchFunction | null;
  /** Milliseconds between checks with the polling backend (fail2ban sleeps 1 s). */
  pollInterval?: number;
  /** Milliseconds between the safety-net checks that run beside inotify (they also re-expand globs). */
  safetyInterval?: number;
  /** Milliseconds a renamed-away file is still read after it last grew (writers reopen late). */
  rotateGrace?: number;
  /** Minimum milliseconds between two saves of one file's position. */
  saveInterval?: number;
}

export interface LogPattern {
  pattern: string;
  glob: boolean;
  start: StartMode;
}

export interface ValidFileOptions {
  id: string;
  patterns: readonly LogPattern[];
  encoding: string;
  watch: WatchFunction | null;
  pollInterval: number;
  safetyInterval: number;
  rotateGrace: number;
  saveInterval: number;
}

/** `"/var/log/auth.log tail"` → path and start; fail2ban splits the last word off the same way. */
export function parseLogPath(entry: string | LogPathSpec): { path: string; start?: StartMode } {
  if (typeof entry !== 'string') {
    const start = entry.start ?? (entry.tail === undefined ? undefined : entry.tail ? 'tail' : 'head');
    return start ? { path: entry.path, start } : { path: entry.path };
  }
  const m = /^(.*\S)\s+(head|tail)\s*$/i.exec(entry.trim());
  return m ? { path: m[1]!, start: m[2]!.toLowerCase() as StartMode } : { path: entry.trim() };
}

/** Splits lines on `\n` only; any other encoding whose `\n` is not the byte 0x0a cannot be tailed so. */
export function checkEncoding(label: string | undefined): Checked<string> {
  if (label === undefined || label === '' || label.toLowerCase() === 'auto') return { ok: true, value: 'utf-8' };
  let name: string;
  try {
    name = new TextDecoder(label).encoding;
  } catch {
    return { ok: false, reason: `logencoding ${JSON.stringify(label)} is not an encoding Node knows` };
  }
  if (/^utf-(16|32)/.test(name)) return { ok: false, reason: `logencoding ${label} is not supported: lines are split at the byte \\n` };
  return { ok: true, value: name };
}

function interval(name: string, value: number | undefined, fallback: number): Checked<number> {
  if (value === undefined) return { ok: true, value: fallback };
  return Number.isFinite(value) && value > 0 ? { ok: true, value } : { ok: false, reason: `${name} must be a positive number of milliseconds` };
}

/** Checks options without I/O, reporting the first problem, and returns them frozen with defaults. */
export function validateFileOptions(options: FileSourceOptions): Checked<ValidFileOptions> {
  if (typeof options.id !== 'string' || options.id === '') return { ok: false, reason: 'a file source needs an id' };
  if (!Array.isArray(options.logpath) || options.logpath.length === 0) return { ok: false, reason: 'logpath names no file' };
  const patterns: LogPattern[] = [];
  for (const entry of options.logpath) {
    const spec = parseLogPath(entry as string | LogPathSpec);
    if (typeof spec.path !== 'string' || spec.path === '') return { ok: false, reason: 'logpath has an empty entry' };
    if (spec.path.includes('\0')) return { ok: false, reason: `logpath ${JSON.stringify(spec.path)} contains a NUL byte` };
    const pattern = resolve(spec.path);
    if (!patterns.some((p) => p.pattern === pattern)) patterns.push({ pattern, glob: hasMagic(pattern), start: spec.start ?? 'head' });
  }
  const encoding = checkEncoding(options.encoding);
  if (!encoding.ok) return encoding;
  const polling = options.polling === true || options.watch === null;
  const values: Record<string, number> = {};
  const defaults: [keyof FileSourceOptions, number][] = [
    ['pollInterval', 1000], ['safetyInterval', 10_000], ['rotateGrace', 30_000], ['saveInterval', 200],
  ];
  for (const [name, fallback] of defaults) {
    const v = interval(name, options[name] as number | undefined, fallback);
    if (!v.ok) return v;
    values[name] = v.value;
  }
  return {
    ok: true,
    value: Object.freeze({
      id: options.id,
      patterns: Object.freeze(patterns),
      encoding: encoding.value,
      watch: polling ? null : options.watch ?? fsWatch,
      pollInterval: values.pollInterval!,
      safetyInterval: values.safetyInterval!,
      rotateGrace: values.rotateGrace!,
      saveInterval: values.saveInterval!,
    }),
  };
}

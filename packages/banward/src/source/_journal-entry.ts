import { clipLine } from './line-reader.js';
import type { SourceLine } from './log-source.js';

/** A journal entry as `journalctl --output=json` prints it. */
export type JournalEntry = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8');

function isBytes(value: unknown[]): value is number[] {
  return value.every((b) => typeof b === 'number');
}

/**
 * The text of one field value. journalctl prints a value that is not valid UTF-8 (or not printable) as
 * an array of bytes, a field present several times as an array of values, and a field too large as null.
 */
function fieldValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (!Array.isArray(value)) return [];
  if (isBytes(value)) return [utf8.decode(Uint8Array.from(value))];
  return value.flatMap((v) => (typeof v === 'string' || (Array.isArray(v) && isBytes(v)) ? fieldValues(v) : []));
}

function field(entry: JournalEntry, name: string): string | undefined {
  const v = fieldValues(entry[name])[0];
  return v === '' ? undefined : v;
}

/** `[1234]` as fail2ban prints a pid: as an integer when it reads as one (Python's int(v, 0)), else as is. */
function formatPid(pid: string): string {
  const t = pid.trim();
  if (/^[+-]?(0|[1-9](_?\d)*)$/.test(t)) return `[${Number(t.replace(/_/g, ''))}]`;
  if (/^[+-]?0[xX][\da-fA-F]+$|^[+-]?0[oO][0-7]+$|^[+-]?0[bB][01]+$/.test(t)) {
    const negative = t.startsWith('-');
    const n = Number(t.replace(/^[+-]/, ''));
    return `[${negative ? -n : n}]`;
  }
  return `[${pid}]`;
}

function microseconds(entry: JournalEntry, name: string): number | undefined {
  const v = field(entry, name);
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * An entry as one syslog-style line, as fail2ban's systemd backend writes it:
 * `HOSTNAME IDENT[PID]: MESSAGE`, a kernel entry with its monotonic time `[%12.6f]`, newlines as `\n`.
 */
export function formatJournalEntry(entry: JournalEntry): string {
  const parts: string[] = [];
  const host = field(entry, '_HOSTNAME');
  if (host !== undefined) parts.push(host);
  const ident = field(entry, 'SYSLOG_IDENTIFIER') ?? field(entry, '_COMM');
  if (ident !== undefined) {
    const pid = field(entry, 'SYSLOG_PID') ?? field(entry, '_PID');
    const tag = `${ident}${pid === undefined ? '' : formatPid(pid)}:`;
    parts.push(tag);
    if (tag === 'kernel:') {
      const mono = microseconds(entry, '_SOURCE_MONOTONIC_TIMESTAMP') ?? microseconds(entry, '__MONOTONIC_TIMESTAMP');
      if (mono !== undefined) parts.push(`[${(mono / 1e6).toFixed(6).padStart(12)}]`);
    }
  }
  parts.push(fieldValues(entry.MESSAGE).join(' '));
  const line = parts.join(' ').replace(/\n/g, '\\n');
  return clipLine(line);
}

/** Epoch seconds of an entry: when the sender logged it, else when the journal received it (as fail2ban). */
export function journalEntryTime(entry: JournalEntry): number | undefined {
  const us = microseconds(entry, '_SOURCE_REALTIME_TIMESTAMP') ?? microseconds(entry, '__REALTIME_TIMESTAMP');
  return us === undefined ? undefined : us / 1e6;
}

/** One line of journalctl's JSON output → a source line and the entry's cursor; undefined if not an entry. */
export function parseJournalLine(json: string): { line: SourceLine; cursor: string | undefined } | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const e = entry as JournalEntry;
  const time = journalEntryTime(e);
  const line: SourceLine = { text: formatJournalEntry(e), origin: 'journal', ...(time === undefined ? {} : { time }) };
  return { line, cursor: typeof e.__CURSOR === 'string' ? e.__CURSOR : undefined };
}

/**
 * The journalctl match words: each `journalmatch` line is a group whose own `+` means OR (journalctl
 * syntax), and separate lines are ORed as fail2ban does; empty groups are dropped.
 */
export function journalMatchArgs(journalmatch: readonly (readonly string[])[]): string[] {
  const groups: string[][] = [];
  for (const line of journalmatch) {
    let current: string[] = [];
    for (const word of [...line, '+']) {
      if (word !== '+') current.push(word);
      else if (current.length > 0) { groups.push(current); current = []; }
    }
  }
  return groups.flatMap((g, i) => (i === 0 ? g : ['+', ...g]));
}

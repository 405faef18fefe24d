import { appendFileSync } from 'node:fs';

/** The levels, most severe first: the one list `--log-level`, the config's loglevel and the logger share. */
export const LOG_LEVELS = ['error', 'warn', 'notice', 'info', 'debug'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK = Object.fromEntries(LOG_LEVELS.map((level, i) => [level, i])) as Record<LogLevel, number>;

/** Log lines an admin greps like fail2ban's: `2026-11-22 10:00:01,123 banward [sshd] NOTICE Ban 203.0.113.5`. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  notice(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** A logger whose lines are prefixed `[name]` (one per jail). */
  child(name: string): Logger;
  /** Whether lines of this level are written (to skip building costly messages). */
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go: a function (tests), or a file path, or stderr. */
  write?: (line: string) => void;
  file?: string;
  /** Wall-clock time for the line's timestamp (the only place logs read a clock). */
  now?: () => Date;
}

/**
 * A new log file's mode. Its lines carry attackers' text and user names: owner and group (adm) only.
 * It applies when the file is created; an existing file keeps its mode (an admin may have narrowed it).
 */
const LOG_FILE_MODE = 0o640;

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/**
 * Lines logged in one turn of the event loop reach the file in one append: a burst logs 10,000 bans in
 * one turn, and an open, write and close each cost more than the ban. Each append opens the path afresh,
 * so a file logrotate moved away is followed; lines still pending when the process exits are written then.
 */
function fileWriter(file: string): (line: string) => void {
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    try {
      appendFileSync(file, text, { mode: LOG_FILE_MODE });
    } catch (error) {
      process.stderr.write(`banward: cannot write the log file ${file}: ${error instanceof Error ? error.message : String(error)}\n${text}`);
    }
  };
  process.on('exit', flush);
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}

export function createLogger(options: LoggerOptions, prefix = ''): Logger {
  const write = options.write ?? (options.file ? fileWriter(options.file) : (line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const at = (level: LogLevel) => (message: string): void => {
    if (RANK[level] > RANK[options.level]) return;
    write(`${stamp(now())} banward ${level.toUpperCase().padEnd(6)} ${prefix}${message}`);
  };
  return {
    error: at('error'), warn: at('warn'), notice: at('notice'), info: at('info'), debug: at('debug'),
    child: (name) => createLogger({ ...options, write, now }, `${prefix}[${name}] `),
    enabled: (level) => RANK[level] <= RANK[options.level],
  };
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Checked } from '../result.js';
import { journalMatchArgs, parseJournalLine } from './_journal-entry.js';
import { PositionSaver } from './_position-saver.js';
import type { LogSource, SourceContext, SourceLine, SourceStats } from './log-source.js';

export { formatJournalEntry, journalEntryTime, journalMatchArgs, parseJournalLine } from './_journal-entry.js';
export type { JournalEntry } from './_journal-entry.js';

/** One JSON entry longer than this is dropped (with --all a field may be huge; memory stays bounded). */
const MAX_ENTRY_CHARS = 4 * 1024 * 1024;
const KILL_GRACE_MS = 2000;

export interface JournalSourceOptions {
  /** Stable id (`<jail>:journal`), the key of the saved cursor. */
  id: string;
  /** The filter's `journalmatch`: one array of shell words per line, `+` meaning OR. */
  journalmatch: readonly (readonly string[])[];
  /** fail2ban's backend options: `systemd[journalflags=…, journalpath=…, journalfiles=…, namespace=…]`. */
  journalflags?: string | number;
  journalpath?: string;
  journalfiles?: string;
  namespace?: string;
  /** Epoch seconds to read from when no cursor is saved; default now − findtime (as fail2ban). */
  since?: number;
  findtime?: number;
  /** The journalctl program (a name looked up in PATH, or a path). */
  journalctl?: string;
  /** Milliseconds before the first restart of an exited journalctl; doubles up to maxRestartDelay. */
  restartDelay?: number;
  maxRestartDelay?: number;
  saveInterval?: number;
}

export type ValidJournalOptions = Readonly<Required<Pick<JournalSourceOptions, 'id' | 'journalctl' | 'restartDelay' | 'maxRestartDelay' | 'saveInterval' | 'findtime'>>
  & { since: number | undefined; baseArgs: readonly string[] }>;

/** Checks options without I/O and computes journalctl's fixed arguments. */
export function validateJournalOptions(o: JournalSourceOptions): Checked<ValidJournalOptions> {
  if (typeof o.id !== 'string' || o.id === '') return { ok: false, reason: 'a journal source needs an id' };
  if (!Array.isArray(o.journalmatch) || o.journalmatch.some((m) => !Array.isArray(m) || m.some((w) => typeof w !== 'string'))) {
    return { ok: false, reason: 'journalmatch must be lists of words' };
  }
  const args: string[] = [];
  const hasFiles = Boolean(o.journalpath || o.journalfiles);
  const flags = o.journalflags === undefined ? (hasFiles ? 0 : 4) : Number(o.journalflags);
  if (!Number.isInteger(flags) || flags < 0) return { ok: false, reason: `journalflags ${JSON.stringify(o.journalflags)} is not a number` };
  // sd_journal_open flags: SYSTEM (4) and CURRENT_USER (8) have journalctl options; LOCAL_ONLY is its default.
  if (flags & 4) args.push('--system');
  if (flags & 8) args.push('--user');
  if (o.journalpath) args.push(`--directory=${o.journalpath}`);
  for (const f of (o.journalfiles ?? '').split(/[\s,]+/).filter(Boolean)) args.push(`--file=${f}`);
  if (o.namespace) args.push(`--namespace=${o.namespace}`);
  const numbers: [string, number | undefined, number][] = [
    ['restartDelay', o.restartDelay, 1000], ['maxRestartDelay', o.maxRestartDelay, 60_000],
    ['saveInterval', o.saveInterval, 200], ['findtime', o.findtime, 600],
  ];
  const v: Record<string, number> = {};
  for (const [name, value, fallback] of numbers) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) return { ok: false, reason: `${name} must be a positive number` };
    v[name] = value ?? fallback;
  }
  if (o.since !== undefined && !Number.isFinite(o.since)) return { ok: false, reason: 'since must be epoch seconds' };
  return {
    ok: true,
    value: Object.freeze({
      id: o.id,
      journalctl: o.journalctl ?? 'journalctl',
      restartDelay: v.restartDelay!, maxRestartDelay: v.maxRestartDelay!, saveInterval: v.saveInterval!, findtime: v.findtime!,
      since: o.since,
      baseArgs: Object.freeze([...args, ...journalMatchArgs(o.journalmatch)]),
    }),
  };
}

/** The full path of an executable: a path as given, or the first match in PATH. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** journalctl's arguments: follow as JSON from a cursor (after a restart) or from a time. */
export function journalctlArgs(base: readonly string[], from: { cursor: string } | { since: number }): string[] {
  const start = 'cursor' in from ? `--after-cursor=${from.cursor}` : `--since=@${Math.floor(from.since)}`;
  return ['--follow', '--output=json', '--no-pager', '--all', '--lines=all', start, ...base];
}

/** Follows the systemd journal through `journalctl --follow --output=json`, restarting it if it exits. */
export class JournalSource implements LogSource {
  readonly id: string;
  private readonly options: ValidJournalOptions;
  private readonly saver: PositionSaver;
  private child: ChildProcess | null = null;
  private cursor: string | undefined;
  private since = 0;
  /** Clock at start: entries dated before it (less a second, as fail2ban) are the backlog. */
  private startedAt = 0;
  private caughtUp = false;
  private running = false;
  private linesRead = 0;
  private delay: number;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(options: JournalSourceOptions, private readonly ctx: SourceContext) {
    const valid = validateJournalOptions(options);
    if (!valid.ok) throw new TypeError(`journal source ${options.id}: ${valid.reason}`);
    this.options = valid.value;
    this.id = valid.value.id;
    this.delay = valid.value.restartDelay;
    this.saver = new PositionSaver(ctx.positions, valid.value.saveInterval, ctx.settled?.bind(ctx));
  }

  describe(): string[] {
    const match = this.options.baseArgs.join(' ');
    return [`journal${match ? `: ${match}` : ''}`];
  }

  stats(): SourceStats {
    return { linesRead: this.linesRead, lag: [] };
  }

  /** The running journalctl's pid (undefined while none runs). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const saved = this.ctx.positions.getPosition(this.id);
    this.cursor = saved?.kind === 'journal' ? saved.cursor : undefined;
    this.startedAt = this.ctx.clock();
    this.caughtUp = false;
    this.since = this.options.since ?? this.startedAt - this.options.findtime;
    this.spawn();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await this.saver.flush();
  }

  private spawn(): void {
    const from = this.cursor !== undefined ? { cursor: this.cursor } : { since: this.since };
    const args = journalctlArgs(this.options.baseArgs, from);
    this.ctx.log.debug(`running ${this.options.journalctl} ${args.join(' ')}`);
    const child = spawn(this.options.journalctl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let received = false;
    let buffer = '';
    let dropping = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const batch: SourceLine[] = [];
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
        const json = buffer + chunk.slice(start, nl);
        buffer = '';
        start = nl + 1;
        if (dropping) { dropping = false; continue; }
        const parsed = parseJournalLine(json);
        if (!parsed) continue;
        const time = parsed.line.time;
        if (!this.caughtUp && (time === undefined || time >= this.startedAt - 1)) this.caughtUp = true;
        batch.push(this.caughtUp ? parsed.line : { ...parsed.line, backlog: true });
        if (parsed.cursor !== undefined) this.cursor = parsed.cursor;
      }
      if (!dropping) buffer += chunk.slice(start);
      if (buffer.length > MAX_ENTRY_CHARS) {
        this.ctx.log.debug(`dropping a journal entry longer than ${MAX_ENTRY_CHARS} characters`);
        buffer = '';
        dropping = true;
      }
      if (batch.length === 0) return;
      received = true;
      this.linesRead += batch.length;
      const wait = this.ctx.onLines(batch);
      if (wait) {
        child.stdout.pause();
        void wait.then(() => child.stdout.resume());
      }
      const cursor = this.cursor;
      if (cursor !== undefined) this.saver.mark(this.id, () => ({ kind: 'journal', cursor }));
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => { if (stderr.length < 2000) stderr += chunk; });
    let ended = false;
    const onEnd = (why: string): void => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = null;
      if (!this.running) return;
      if (received) this.delay = this.options.restartDelay;
      const detail = stderr.trim() ? `: ${stderr.trim().slice(0, 500)}` : '';
      this.ctx.log.warn(`journalctl ${why}${detail}; restarting it in ${this.delay / 1000} s`);
      this.restartTimer = setTimeout(() => { this.restartTimer = null; if (this.running) this.spawn(); }, this.delay);
      this.restartTimer.unref();
      this.delay = Math.min(this.delay * 2, this.options.maxRestartDelay);
    };
    child.on('error', (error) => onEnd(`could not run (${error.message})`));
    child.on('close', (code, signal) => onEnd(signal ? `was killed by ${signal}` : `exited with status ${code}`));
  }
}

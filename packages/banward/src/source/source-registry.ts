import { parseInlineOptions } from '../config/inline-options.js';
import { BanwardError } from '../errors.js';
import { validateFileOptions, type FileSourceOptions } from './_file-options.js';
import { FileSource } from './file-source.js';
import { findExecutable, JournalSource, validateJournalOptions, type JournalSourceOptions } from './journal-source.js';
import type { CanRun } from '../result.js';
import type { LogSource, SourceContext } from './log-source.js';

export type { CanRun };

/** What the daemon hands a source: the file options or the journal options (and tuning, for tests). */
export type SourceOptions = { id: string } & Partial<Omit<FileSourceOptions, 'id'>> & Partial<Omit<JournalSourceOptions, 'id'>>;

/** A kind of log source: pure option checks, then whether it can run on this machine, then creation. */
export interface SourceFactory {
  readonly description: string;
  /** Checks the options without any I/O. */
  validate(options: SourceOptions): CanRun;
  /** validate(), then the runtime (is journalctl here?). */
  canRun(options: SourceOptions): CanRun;
  create(options: SourceOptions, ctx: SourceContext): LogSource;
}

const ok: CanRun = { ok: true };

function fileOptions(options: SourceOptions, polling: boolean): FileSourceOptions {
  return { ...options, logpath: options.logpath ?? [], ...(polling ? { polling: true } : {}) };
}

function fileFactory(polling: boolean, description: string): SourceFactory {
  const validate = (options: SourceOptions): CanRun => {
    const v = validateFileOptions(fileOptions(options, polling));
    return v.ok ? ok : v;
  };
  return {
    description,
    validate,
    // Files may appear later and inotify falls back to polling: nothing else can stop a file source.
    canRun: validate,
    create: (options, ctx) => new FileSource(fileOptions(options, polling), ctx),
  };
}

function journalOptions(options: SourceOptions): JournalSourceOptions {
  return { ...options, journalmatch: options.journalmatch ?? [] };
}

/** The sources by kind; fail2ban's `backend` names map onto them (see BACKENDS). */
export const SOURCE_REGISTRY = {
  file: fileFactory(false, 'log files, followed with inotify and a polling safety net'),
  polling: fileFactory(true, 'log files, checked every second'),
  journal: {
    description: 'the systemd journal, through journalctl',
    validate(options: SourceOptions): CanRun {
      const v = validateJournalOptions(journalOptions(options));
      return v.ok ? ok : v;
    },
    canRun(options: SourceOptions): CanRun {
      const v = validateJournalOptions(journalOptions(options));
      if (!v.ok) return v;
      const program = v.value.journalctl;
      return findExecutable(program) ? ok : { ok: false, reason: `${program} is not installed (backend = systemd needs it)` };
    },
    create: (options, ctx) => new JournalSource(journalOptions(options), ctx),
  },
} as const satisfies Record<string, SourceFactory>;

export type SourceKind = keyof typeof SOURCE_REGISTRY;

/** fail2ban's backend names. */
const BACKENDS: Readonly<Record<string, SourceKind>> = {
  auto: 'file', pyinotify: 'file', inotify: 'file', gamin: 'file', polling: 'polling', systemd: 'journal',
};

/** The `backend` values a jail may name: the one list the jail options check against. */
export const BACKEND_NAMES: readonly string[] = Object.freeze(Object.keys(BACKENDS));

/** The options each kind reads from `backend = name[option=value]`; others are ignored, as fail2ban does. */
const BACKEND_OPTIONS: Readonly<Record<SourceKind, readonly string[]>> = {
  file: [], polling: [], journal: ['journalflags', 'journalpath', 'journalfiles', 'namespace'],
};

export interface ParsedBackend {
  kind: SourceKind;
  /** Options it reads; `ignored` lists the others. */
  options: Record<string, string>;
  ignored: string[];
}

/** `systemd[journalflags=1]` → the journal kind with its options; unknown backend names are an error. */
export function parseBackend(backend: string): ParsedBackend | { error: string } {
  let parsed;
  try {
    parsed = parseInlineOptions(backend.trim() || 'auto');
  } catch (error) {
    return { error: (error as Error).message };
  }
  const name = parsed.name.trim().toLowerCase();
  const kind = Object.hasOwn(BACKENDS, name) ? BACKENDS[name] : undefined;
  if (!kind) return { error: `backend ${JSON.stringify(parsed.name.trim())} is not known (${BACKEND_NAMES.join(', ')})` };
  const options: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [k, v] of Object.entries(parsed.options)) {
    if (BACKEND_OPTIONS[kind].includes(k)) options[k] = v;
    else ignored.push(k);
  }
  return { kind, options, ignored };
}

function resolve(backend: string, options: SourceOptions): { factory: SourceFactory; options: SourceOptions; ignored: string[] } | { error: string } {
  const parsed = parseBackend(backend);
  if ('error' in parsed) return parsed;
  return { factory: SOURCE_REGISTRY[parsed.kind], options: { ...options, ...parsed.options }, ignored: parsed.ignored };
}

/** Whether a jail's source could run here (for `test-config` and the daemon's start). */
export function canRunSource(backend: string, options: SourceOptions): CanRun {
  const r = resolve(backend, options);
  return 'error' in r ? { ok: false, reason: r.error } : r.factory.canRun(r.options);
}

/** The log source for a jail's `backend`; a BanwardError (BANWARD_ERR_CONFIG_VALUE) when it cannot run. */
export function createSource(backend: string, options: SourceOptions, ctx: SourceContext): LogSource {
  const r = resolve(backend, options);
  if ('error' in r) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', r.error);
  const can = r.factory.canRun(r.options);
  if (!can.ok) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `${options.id}: ${can.reason}`);
  for (const name of r.ignored) ctx.log.debug(`backend ${backend}: option ${name} is ignored`);
  return r.factory.create(r.options, ctx);
}

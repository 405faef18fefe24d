import { existsSync } from 'node:fs';
import type { Clock } from '../clock.js';
import { BanwardError } from '../errors.js';
import { readFilter } from '../config/index.js';
import type { BanStore } from '../decision/ban-store.js';
import { resolveAction } from '../enforcer/action-registry.js';
import type { BanAction } from '../enforcer/ban-action.js';
import { Filter, type FilterSpec } from '../filter/filter.js';
import type { UseDns } from '../filter/failregex.js';
import { WorkerMatcher, type LineMatcher } from '../filter/runner/index.js';
import {
  BanTimePolicy, FailureCounter, IgnoreList, Jail, type JailOptions,
} from '../jail/index.js';
import type { Logger } from '../log/logger.js';
import { createSource, findExecutable, type LogSource, type PositionStore } from '../source/index.js';

export interface RunningJail {
  jail: Jail;
  options: JailOptions;
  sources: LogSource[];
  /** What `status` shows as the jail's input. */
  inputs: { files?: string[]; journalMatch?: string[] };
  /** The jail's options and its filter's, and which actions cannot run, to tell on reload whether anything changed. */
  fingerprint: string;
  /** Why the jail's bans block nobody (no action, or none that can block here); null when they are enforced. */
  unenforced: string | null;
}

export interface BuildContext {
  configDir: string;
  store: BanStore & PositionStore;
  clock: Clock;
  log: Logger;
  /** Milliseconds a line may hold the filter (linetimeout); 0 matches on the daemon's thread, unbounded. */
  lineTimeout: number;
}

/**
 * The filter's own options, with the jail's overrides (maxlines, datepattern, journalmatch) on top. The
 * filter is built here even when a worker runs it: a regex that does not compile refuses start and reload
 * with its file and line, and `get failregex` reads it.
 */
function buildFilter(options: JailOptions, ctx: BuildContext, journal: boolean): { filter: Filter | null; spec: FilterSpec | null; journalmatch: string[][]; definition: unknown } {
  if (!options.filter) return { filter: null, spec: null, journalmatch: [], definition: null };
  const def = readFilter(ctx.configDir, options.filter, journal ? { logtype: 'journal' } : {});
  const maxlines = options.maxlines ?? def.maxlines;
  const datepattern = options.datepattern ?? def.datepattern?.value;
  const spec: FilterSpec = {
    failregex: def.failregex,
    ignoreregex: def.ignoreregex,
    ...(def.prefregex?.value ? { prefregex: def.prefregex } : {}),
    ...(maxlines ? { maxlines } : {}),
    ...(datepattern ? { datepattern } : {}),
    ...(options.logtimezone ? { logtimezone: options.logtimezone } : {}),
    usedns: (options.usedns ?? def.usedns ?? 'warn') as UseDns,
    // Backlog lines (SourceLine.backlog) older than findtime are dropped; live ones with odd times count as now.
    checkFindTime: true,
    findTime: options.findtime,
  };
  return { filter: new Filter({ ...spec, now: ctx.clock }), spec, journalmatch: options.journalmatch ?? def.journalmatch, definition: def.options };
}

function buildMatcher(filter: Filter, spec: FilterSpec, ctx: BuildContext, log: Logger): LineMatcher | null {
  if (ctx.lineTimeout <= 0) return null;
  return new WorkerMatcher({
    spec,
    timeoutMs: ctx.lineTimeout,
    clock: ctx.clock,
    log,
    regexes: {
      datepattern: [spec.datepattern ?? 'the default date templates'],
      prefregex: filter.prefRegex ? [filter.prefRegex.original] : [],
      failregex: filter.failRegexes.map((r) => r.original),
      ignoreregex: filter.ignoreRegexes.map((r) => r.original),
    },
  });
}

/**
 * `backend = auto` reads the files; but when none of them exists, the filter says how to find its lines
 * in the journal (journalmatch) and the machine has one (a Debian without rsyslog has no auth.log), it
 * reads the journal, so a default sshd jail works either way. Otherwise it waits for the files.
 */
function chooseBackend(options: JailOptions, configDir: string): string {
  if (options.backend !== 'auto' || !options.filter) return options.backend;
  const fixed = options.logpath.filter((p) => !/[*?[]/.test(p.path));
  const noFiles = fixed.length === options.logpath.length && fixed.every((p) => !existsSync(p.path));
  if (!noFiles || !findExecutable('journalctl')) return 'auto';
  const journalmatch = options.journalmatch ?? readFilter(configDir, options.filter, { logtype: 'journal' }).journalmatch;
  return journalmatch.length > 0 ? 'systemd' : 'auto';
}

function positiveInteger(options: JailOptions, name: string): number {
  const value = Number(options.options[name]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `[${options.name}] ${name} must be a whole number above 0, not ${JSON.stringify(options.options[name])}`);
  }
  return value;
}

/** Wires a jail's filter, counters, ignore list, ban-time policy, actions and log sources. */
export async function buildJail(jailOptions: JailOptions, ctx: BuildContext): Promise<RunningJail> {
  const backend = chooseBackend(jailOptions, ctx.configDir);
  const options = backend === jailOptions.backend ? jailOptions : { ...jailOptions, backend };
  const log = ctx.log.child(options.name);
  const journal = options.backend.startsWith('systemd');
  if (backend !== jailOptions.backend) log.notice('no log file found: reading the systemd journal instead (backend = auto)');
  const { filter, spec, journalmatch, definition } = buildFilter(options, ctx, journal);
  const matcher = filter && spec ? buildMatcher(filter, spec, ctx, log) : null;
  const actions: BanAction[] = [];
  const unavailable: string[] = [];
  for (const spec of options.action) {
    const resolved = await resolveAction(spec, { jail: options.name, clock: ctx.clock, log, configDir: ctx.configDir, jailOptions: options.options });
    if (resolved.action) actions.push(resolved.action);
    else unavailable.push(resolved.reason ?? `action ${spec} is not available`);
  }
  for (const reason of unavailable) log.warn(reason);
  const unenforced = actions.some((a) => !a.notifyOnly) ? null
    : unavailable.length > 0 ? unavailable.join('; ')
      : actions.length === 0 ? 'no action is set (action =)'
        : `its actions only record or notify (${actions.map((a) => a.name).join(', ')})`;
  if (unenforced !== null) log.warn(`bans are recorded, not enforced: ${unenforced}`);
  if (options.actionDefaulted) log.notice(`no action is set: using the default banaction (${options.action.join(', ')})`);
  const jail = new Jail({
    name: options.name,
    filter,
    ...(matcher ? { matcher } : {}),
    failures: new FailureCounter({
      findtime: options.findtime,
      maxmatches: options.maxmatches,
      ...(options.options['maxtrackedips'] ? { maxTracked: positiveInteger(options, 'maxtrackedips') } : {}),
    }),
    ignore: new IgnoreList({
      ignoreip: options.ignoreip,
      ignoreself: options.ignoreself,
      ...(options.ignorecommand ? { ignorecommand: options.ignorecommand } : {}),
      ...(options.ignorecache ? { ignorecache: options.ignorecache } : {}),
      log,
      clock: ctx.clock,
    }),
    bantime: new BanTimePolicy(options.bantimeIncrement),
    baseBantime: options.bantime,
    maxretry: options.maxretry,
    countprefix6: options.countprefix6,
    overallJails: options.bantimeIncrement.overalljails,
    usedns: options.usedns ?? 'warn',
    store: ctx.store,
    actions,
    clock: ctx.clock,
    log,
  });
  const sources: LogSource[] = [];
  const inputs: RunningJail['inputs'] = {};
  const sourceCtx = {
    onLines: (lines: Parameters<Jail['handleLines']>[0]) => jail.handleLines(lines),
    settled: () => jail.drain(),
    positions: ctx.store,
    clock: ctx.clock,
    log,
  };
  if (filter && journal) {
    sources.push(createSource(options.backend, { id: `${options.name}:journal`, journalmatch, findtime: options.findtime }, sourceCtx));
    inputs.journalMatch = journalmatch.map((m) => m.join(' '));
  } else if (filter && options.logpath.length > 0) {
    sources.push(createSource(options.backend, {
      id: `${options.name}:file`,
      logpath: options.logpath,
      ...(options.logencoding && options.logencoding !== 'auto' ? { encoding: options.logencoding } : {}),
    }, sourceCtx));
    inputs.files = options.logpath.map((p) => p.path);
  }
  return { jail, options: jailOptions, sources, inputs, fingerprint: JSON.stringify([jailOptions, definition, ctx.lineTimeout, unavailable]), unenforced };
}

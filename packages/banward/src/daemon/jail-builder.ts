import type { Clock } from '../clock.js';
import { jailInputs, type ActionPlan, type JailSpec } from '../compile/index.js';
import type { BanStore } from '../decision/ban-store.js';
import { createAction } from '../enforcer/action-registry.js';
import { Filter } from '../filter/filter.js';
import { WorkerMatcher, type LineMatcher } from '../filter/runner/index.js';
import {
  BanTimePolicy, FailureCounter, IgnoreList, Jail, type JailEventSink, type JailOptions,
} from '../jail/index.js';
import type { Logger } from '../log/logger.js';
import { createSource, type LogSource, type PositionStore } from '../source/index.js';

export interface RunningJail {
  /** What it was built from: a refused reload rebuilds the jail from it. */
  spec: JailSpec;
  jail: Jail;
  options: JailOptions;
  sources: LogSource[];
  /** What `status` shows as the jail's input. */
  inputs: { files?: string[]; journalMatch?: string[] };
  /** The spec's: changes when anything the jail was compiled from changes (reload compares it). */
  fingerprint: string;
  /** Why the jail's bans block nobody (no action, or none that can block here); null when they are enforced. */
  unenforced: string | null;
}

export interface BuildContext {
  configDir: string;
  store: BanStore & PositionStore;
  clock: Clock;
  log: Logger;
  events: JailEventSink;
}

function buildMatcher(spec: JailSpec, log: Logger, clock: Clock): LineMatcher | null {
  if (!spec.filter || spec.lineTimeout <= 0) return null;
  return new WorkerMatcher({ spec: spec.filter.spec, timeoutMs: spec.lineTimeout, clock, log, regexes: spec.filter.regexes });
}

/** Wires a compiled jail's filter, counters, ignore list, ban-time policy, actions and log sources; checks nothing. */
export function buildJail(spec: JailSpec, ctx: BuildContext): RunningJail {
  const { options } = spec;
  const log = ctx.log.child(spec.name);
  const filter = spec.filter ? new Filter({ ...spec.filter.spec, now: ctx.clock }) : null;
  const matcher = buildMatcher(spec, log, ctx.clock);
  const actionContext = { jail: spec.name, clock: ctx.clock, log, configDir: ctx.configDir, jailOptions: options.options };
  const actions = spec.actions.map((plan: ActionPlan) => createAction(plan, actionContext));
  const jail = new Jail({
    name: options.name,
    filter,
    ...(matcher ? { matcher } : {}),
    failures: new FailureCounter({
      findtime: options.findtime,
      maxmatches: options.maxmatches,
      ...(options.maxtracked ? { maxTracked: options.maxtracked } : {}),
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
    events: ctx.events,
  });
  const sourceCtx = {
    onLines: (lines: Parameters<Jail['handleLines']>[0]) => jail.handleLines(lines),
    settled: () => jail.drain(),
    positions: ctx.store,
    clock: ctx.clock,
    log,
  };
  const sources: LogSource[] = [];
  if (spec.filter && spec.backend.startsWith('systemd')) {
    sources.push(createSource(spec.backend, { id: `${spec.name}:journal`, journalmatch: spec.filter.journalmatch.map((m) => [...m]), findtime: options.findtime }, sourceCtx));
  } else if (spec.filter && options.logpath.length > 0) {
    sources.push(createSource(spec.backend, {
      id: `${spec.name}:file`,
      logpath: options.logpath,
      ...(options.logencoding && options.logencoding !== 'auto' ? { encoding: options.logencoding } : {}),
    }, sourceCtx));
  }
  return { spec, jail, options, sources, inputs: jailInputs(spec), fingerprint: spec.fingerprint, unenforced: spec.unenforced };
}

import { parseInlineOptions } from '../config/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { BanAction, CanRun } from './ban-action.js';
import { ActionDAction, actionDKind, type ActionDefinition } from './action-d/index.js';
import { NOTIFY_ACTIONS } from './notify/index.js';
import { LogAction } from './log-action.js';
import { NATIVE_ACTIONS } from './native/index.js';

export interface ActionContext {
  jail: string;
  clock: Clock;
  log: Logger;
  /** The configuration directory (fail2ban layout): where action.d lives. */
  configDir: string;
  /** The jail's own options (port, protocol, chain, ...), as read: action tags may refer to them. */
  jailOptions: Readonly<Record<string, string>>;
}

/** A kind of action: whether it can run here with these options, then creation. */
export interface ActionKind<A extends BanAction = BanAction> {
  /** May run a tool to see (`nft list tables`); such checks are cached, see process/tool-check. */
  canRun(options: Record<string, string>): Promise<CanRun>;
  create(options: Record<string, string>, ctx: ActionContext): A;
}

/** Native actions by name. fail2ban's action.d files and the firewall backends join this registry. */
const ACTIONS: Record<string, ActionKind> = {
  ...NATIVE_ACTIONS,
  ...NOTIFY_ACTIONS,
  log: {
    canRun: () => Promise.resolve({ ok: true }),
    create: (options, ctx) => new LogAction({
      ...(options['path'] ? { path: options['path'] } : {}),
      clock: ctx.clock,
      log: ctx.log,
    }),
  },
};

/** The native action names (what an action without an action.d file may be called). */
export const NATIVE_ACTION_NAMES: readonly string[] = Object.freeze(Object.keys(ACTIONS));

export interface FoundAction {
  kind: ActionKind;
  origin: 'action.d' | 'native';
  /** False for the native actions that only record or tell of a ban (log, mail, webhook). */
  blocks: boolean;
}

const NOTIFY_ONLY: ReadonlySet<string> = new Set(['log', ...Object.keys(NOTIFY_ACTIONS)]);

/**
 * An action names a file in the config's action.d (fail2ban's, run through the compat layer) or, when
 * there is none, a native action: so `--config /etc/fail2ban` runs fail2ban's own `nftables` and
 * `iptables-multiport`, while banward's bundled config (no action.d) gets the native backends.
 */
export function findAction(name: string, configDir: string): FoundAction | undefined {
  const actionD = actionDKind(name, configDir);
  if (actionD) return { kind: actionD, origin: 'action.d', blocks: true };
  // Own properties only: a name from a config file must not reach Object.prototype (`constructor`).
  const kind = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  return kind && { kind, origin: 'native', blocks: !NOTIFY_ONLY.has(name) };
}

export interface ResolvedAction {
  spec: string;
  action: BanAction | null;
  /** Why the action is not enforced, when it is null. */
  reason?: string;
}

/**
 * Turns an `action` entry (`log[path=/tmp/x]`, `iptables-multiport[name=SSH, port=ssh]`) into an action.
 * One banward cannot run is recorded, not fatal: the ban is still stored and shown.
 */
export async function resolveAction(spec: string, ctx: ActionContext): Promise<ResolvedAction> {
  const { name, options } = parseInlineOptions(spec);
  const found = findAction(name.trim(), ctx.configDir);
  if (!found) return { spec, action: null, reason: `action '${name.trim()}' is not available in this banward version; bans are recorded but not enforced` };
  const can = await found.kind.canRun(options);
  if (!can.ok) return { spec, action: null, reason: can.reason };
  return { spec, action: found.kind.create(options, ctx) };
}

/** Creates an action the compile step found and checked; an action.d one from its compiled definition. */
export function createAction(plan: { name: string; options: Readonly<Record<string, string>>; definition?: ActionDefinition }, ctx: ActionContext): BanAction {
  if (plan.definition) return new ActionDAction({ definition: plan.definition, clock: ctx.clock, log: ctx.log });
  const found = findAction(plan.name, ctx.configDir);
  if (!found) throw new Error(`action ${plan.name} vanished after it was checked`);
  return found.kind.create({ ...plan.options }, ctx);
}

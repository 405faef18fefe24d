import { parseInlineOptions } from '../config/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { BanAction, CanRun } from './ban-action.js';
import { actionDKind, NOTIFY_ACTIONS } from './action-d/index.js';
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
  canRun(options: Record<string, string>): CanRun;
  create(options: Record<string, string>, ctx: ActionContext): A;
}

/** Native actions by name. fail2ban's action.d files and the firewall backends join this registry. */
const ACTIONS: Record<string, ActionKind> = {
  ...NATIVE_ACTIONS,
  ...NOTIFY_ACTIONS,
  log: {
    canRun: () => ({ ok: true }),
    create: (options, ctx) => new LogAction({
      ...(options['path'] ? { path: options['path'] } : {}),
      clock: ctx.clock,
      log: ctx.log,
    }),
  },
};

export interface ResolvedAction {
  spec: string;
  action: BanAction | null;
  /** Why the action is not enforced, when it is null. */
  reason?: string;
}

/**
 * An action names a file in the config's action.d (fail2ban's, run through the compat layer) or, when
 * there is none, a native action: so `--config /etc/fail2ban` runs fail2ban's own `nftables` and
 * `iptables-multiport`, while banward's bundled config (no action.d) gets the native backends.
 *
 * Turns a jail's `action` entries (`log[path=/tmp/x]`, `iptables-multiport[name=SSH, port=ssh]`) into
 * actions. One banward cannot run yet is recorded, not fatal: the ban is still stored and shown.
 */
export function resolveAction(spec: string, ctx: ActionContext): ResolvedAction {
  const { name, options } = parseInlineOptions(spec);
  // Own properties only: a name from a config file must not reach Object.prototype (`constructor`).
  const kind = actionDKind(name.trim(), ctx.configDir) ?? (Object.hasOwn(ACTIONS, name.trim()) ? ACTIONS[name.trim()] : undefined);
  if (!kind) return { spec, action: null, reason: `action '${name.trim()}' is not available in this banward version; bans are recorded but not enforced` };
  const can = kind.canRun(options);
  if (!can.ok) return { spec, action: null, reason: can.reason };
  return { spec, action: kind.create(options, ctx) };
}

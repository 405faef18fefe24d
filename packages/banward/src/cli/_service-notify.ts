import { runProcess, exitText } from '../process/index.js';
import type { Logger } from '../log/logger.js';

/** What the daemon tells systemd: `READY=1`, `RELOADING=1`, `STOPPING=1`, `STATUS=…` (sd_notify(3)). */
export interface ServiceState {
  readonly READY?: '1';
  readonly RELOADING?: '1';
  readonly STOPPING?: '1';
  readonly STATUS?: string;
}

export type ServiceNotifier = (state: ServiceState) => Promise<void>;

/**
 * Tells systemd the daemon's state when it runs under Type=notify ($NOTIFY_SOCKET set), else does nothing.
 * The socket is a Unix datagram socket and Node has no way to send to one without a native addon, so
 * `systemd-notify` sends each message (the unit's NotifyAccess=all lets a child of the daemon do it;
 * systemd-notify waits until systemd has read it, so it is never dropped for its sender having exited).
 * Only our own words go in: jail counts, never log text.
 */
export function serviceNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): ServiceNotifier {
  if (!env.NOTIFY_SOCKET) return async () => undefined;
  return async (state) => {
    const words = Object.entries(state).map(([name, value]) => `${name}=${value}`);
    const result = await runProcess('systemd-notify', words, { timeoutMs: 10_000, env: { NOTIFY_SOCKET: env.NOTIFY_SOCKET! } });
    if (!result.ok) log.warn(`could not tell systemd ${words.join(' ')}: systemd-notify ${exitText(result)} ${result.stderr.trim()}`.trim());
  };
}

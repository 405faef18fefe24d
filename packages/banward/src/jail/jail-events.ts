/**
 * What a jail tells the world as it works: the metrics, the dashboard's live feed and `banward top`
 * subscribe to these (through the daemon's event hub) without reaching into the jail.
 */
export type JailEvent =
  /** A failure counted against `ip` (after the ignore list): `lines` are the log lines (or the report) behind it. */
  | { type: 'found'; jail: string; ip: string; time: number; lines: readonly string[] }
  /** A ban committed to the store (its actions run after). */
  | { type: 'ban'; jail: string; ip: string; time: number; bantime: number; banCount: number; failures: number }
  /** A ban lifted: its time was up, or someone lifted it. */
  | { type: 'unban'; jail: string; ip: string; time: number; reason: UnbanReason }
  /** An action failed to do its part (ban, unban, restore, reconcile, start, stop). */
  | { type: 'action-error'; jail: string; action: string; operation: string; message: string; time: number };

export type UnbanReason = 'expired' | 'lifted';

/**
 * Where a jail sends its events. `found` comes with every failure, so the jail builds it only while
 * `wantsFound` (someone listens for it); the others are rare and always sent.
 */
export interface JailEventSink {
  readonly wantsFound: boolean;
  emit(event: JailEvent): void;
}

/** The sink of a jail nobody listens to. */
export const NO_EVENTS: JailEventSink = Object.freeze({ wantsFound: false, emit: () => undefined });

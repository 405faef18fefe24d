/**
 * The contract every enforcer meets: native ones (log now; nftables, iptables+ipset next) and fail2ban's
 * action.d files through the compat layer. Bans come in batches so a restore is one transaction.
 */
export interface BanTicket {
  jail: string;
  ip: string;
  /** Epoch seconds the ban started. */
  time: number;
  /** Seconds; -1 for ever. */
  bantime: number;
  banCount: number;
  /** Failures that led to the ban. */
  failures: number;
  matches: readonly string[];
  /** Re-applied after a restart, not a new ban (action.d's `norestored` skips these). */
  restored?: boolean;
  /** The filter's captures of the failure that led to the ban (`<F-USER>` reads `user`). */
  data?: Readonly<Record<string, string>>;
}

export interface BanAction {
  readonly name: string;
  /** True for an action that records or tells of a ban without blocking the address (log, webhook, mail). */
  readonly notifyOnly?: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True when the enforcement is in place (e.g. the firewall table exists). */
  check(): Promise<boolean>;
  ban(tickets: readonly BanTicket[]): Promise<void>;
  unban(tickets: readonly BanTicket[]): Promise<void>;
  /** Lifts every ban this action holds. */
  flush(): Promise<void>;
  /**
   * Makes the enforcement hold exactly these bans, repairing both ways (a firewall flushed by an admin
   * must not silently unban anyone). Actions that can read their state back implement it.
   */
  reconcile?(active: readonly BanTicket[]): Promise<{ added: number; removed: number }>;
  /**
   * True while every outside change to the enforcement since it was last read has been seen as it
   * happened (nft's monitor): the periodic comparison of every element can then wait much longer.
   */
  watching?(): boolean;
}

/**
 * How far a periodic reconcile goes: `check` trusts an action whose check() passes; `compare-unwatched`
 * also compares every element of actions not watching; `compare-all` compares every element of all.
 */
export type ReconcileDepth = 'check' | 'compare-unwatched' | 'compare-all';

export type { CanRun } from '../result.js';

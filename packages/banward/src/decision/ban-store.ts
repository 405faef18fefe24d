/** The decision store's contract: every implementation (SQLite, memory) passes one contract test suite. */
import type { LogPosition } from '../source/index.js';

/** One ban as recorded; written (committed) before any action enforces it. */
export interface BanRecord {
  jail: string;
  /** Canonical address text (or a raw failure id). */
  ip: string;
  /** Epoch seconds when the ban started. */
  time: number;
  /** Seconds; -1 bans for ever. */
  bantime: number;
  /** How many times this ip has been banned (this one included), for bantime.increment. */
  banCount: number;
  /** The log lines that led to the ban (bounded by the jail's maxmatches). */
  matches: string[];
  /** The fleet node whose ban this is (src/fleet); absent for this node's own bans. */
  origin?: string;
}

export interface BanStore {
  /** Records a ban (active, and in the history) in one transaction. */
  addBan(ban: BanRecord): void;
  /** Many bans in one transaction (restores, bulk bans). */
  addBans(bans: readonly BanRecord[]): void;
  /**
   * Records past bans in the history only (not active): what an import brings from another tool, for
   * bantime.increment. A ban already recorded (same jail, ip, time and bantime) is not recorded twice.
   * Returns how many were added.
   */
  addHistory(bans: readonly BanRecord[]): number;
  /** Ends a ban; its history stays. Returns false when it was not active. */
  removeBan(jail: string, ip: string): boolean;
  /** Ends many bans of one jail in one transaction; returns those that were active. */
  removeBans(jail: string, ips: readonly string[]): string[];
  getBan(jail: string, ip: string): BanRecord | undefined;
  /** Active bans, all jails or one. */
  activeBans(jail?: string): BanRecord[];
  /** Active bans whose time + bantime <= now (permanent bans never expire). */
  expiredBans(now: number): BanRecord[];
  /**
   * How many bans each of `ips` has had (active and past, within the purge age), in one jail or across all
   * (bantime.overalljails), in one query for a burst's worth; an ip never banned is absent.
   */
  banCounts(ips: readonly string[], jail?: string): Map<string, number>;
  /** Forgets history older than `before` (dbpurgeage); active bans are kept. */
  purgeHistory(before: number): number;
  getPosition(sourceId: string): LogPosition | undefined;
  setPosition(sourceId: string, position: LogPosition): void;
  close(): void;
}

/** Failures and bans of one jail in one minute (`minute`: epoch seconds at its start). */
export interface ActivityMinute {
  jail: string;
  minute: number;
  failures: number;
  bans: number;
}

export interface OffenderCounts {
  failures: number;
  bans: number;
}

/** What the activity recorder adds to the counters in one write. */
export interface ActivityCounts {
  minutes: readonly ActivityMinute[];
  /** Per address per hour (`hour`: epoch seconds at its start), with its /24 or /64 `network`. */
  offenders: readonly (OffenderCounts & { ip: string; hour: number; network: string })[];
}

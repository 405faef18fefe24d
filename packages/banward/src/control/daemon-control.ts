import { BanwardError } from '../errors.js';
import type { ActivityMinute, OffenderCounts } from '../decision/index.js';
import type { FailureEntry, JailEvent, JailOptions } from '../jail/index.js';

/**
 * What the control plane may see and do in a running daemon: the socket handlers and the HTTP API speak
 * to this, never to the daemon's jails or store. Every method that takes a jail name throws
 * `unknownJail(name)` when no such jail runs.
 */
export interface DaemonControl {
  /** Resolves when every jail has started; commands that change things wait for it. */
  readonly started: Promise<void>;
  /** The running jails' names, in start order. */
  jailNames(): string[];
  jailStatus(jail: string): JailStatus;
  /** The jail's pipeline counters (for the metrics); they start again at 0 when a reload rebuilds the jail. */
  jailCounters(jail: string): JailCounters;
  /** Active bans, oldest first: of one jail, and/or only those covering one of `covering`'s addresses. */
  activeBans(filter?: { jail?: string; covering?: readonly string[] }): ActiveBan[];
  /** Bans every target (address or network) or, when one would cover an ignored or own address, none. */
  ban(jail: string, targets: readonly string[]): Promise<BanOutcome>;
  /** How many of `targets` were banned in the jail and are no longer. */
  unban(jail: string, targets: readonly string[]): Promise<number>;
  /** Lifts the targets' bans (or every ban) in every jail; how many bans were lifted. */
  unbanEverywhere(targets: readonly string[] | 'all'): Promise<number>;
  /** The jail's ignoreip entries after the change. */
  addIgnore(jail: string, entries: readonly string[]): string[];
  removeIgnore(jail: string, entries: readonly string[]): string[];
  option<K extends JailOptionName>(jail: string, name: K): JailOptionValues[K];
  /** The options the jail runs with, as `dump-config` shows them. */
  resolvedOptions(jail: string): JailOptions;
  /** Whether a web app (the app socket) may report into the jail: one without a filter, or `appreports = true`. */
  acceptsAppReports(jail: string): boolean;
  /** Counts one failure of a host address; the ban that covers it afterwards, if any. */
  report(jail: string, ip: string, details?: { user?: string; time?: number }): Promise<BanTimes | null>;
  /** The jails rebuilt (all changed ones, or only `jail`); throws, changing nothing, on a broken configuration. */
  reload(jail?: string, options?: { restart?: boolean; unban?: boolean }): Promise<string[]>;
  /** Shuts the daemon down after the current reply is written. */
  stop(): void;
  /** One address's story: every running jail's failures, ban and ignore rule for it, and its ban history. */
  ipStory(ip: string): IpStory;
  /** Failures and bans per jail per minute from `since` (epoch seconds) on; only minutes with activity. */
  activity(since: number): ActivityMinute[];
  /** The `limit` addresses and networks (IPv4 /24, IPv6 /64) with the most failures and bans since `since` (by the hour). */
  topOffenders(since: number, limit: number): TopOffenders;
  /**
   * Calls `listener` with every event from now on (found, ban, unban, action errors, reloads); returns the
   * unsubscribe. `found: false` leaves out the found events (one per failure: costly to build for nobody).
   */
  subscribe(listener: (event: DaemonEvent) => void, options?: { found?: boolean }): () => void;
}

/** Everything the daemon tells its listeners: the jails' events, and reloads. */
export type DaemonEvent =
  | JailEvent
  /** A reload applied: the jails rebuilt (none when nothing changed). */
  | { type: 'reload'; jails: string[]; time: number }
  /** A reload refused (a broken configuration, or a jail that failed to start): nothing changed. */
  | { type: 'reload-refused'; message: string; time: number };

/** One ban's times, in epoch seconds; `expires` is null for a permanent ban. */
export interface BanTimes {
  ip: string;
  time: number;
  bantime: number;
  expires: number | null;
}

export interface ActiveBan extends BanTimes {
  jail: string;
  /** How many times the address has been banned (this one included), for bantime.increment. */
  banCount: number;
}

/** A past or current ban as the history keeps it. */
export interface BanHistoryEntry {
  jail: string;
  time: number;
  bantime: number;
  banCount: number;
  matches: string[];
}

export interface IpStory {
  ip: string;
  jails: {
    jail: string;
    failures: { count: number; entries: FailureEntry[] };
    ban: ActiveBan | null;
    /** The ignore rule that covers the address (an ignoreip entry, or "this host"), or null. */
    ignoredBy: string | null;
  }[];
  /** Newest first. */
  history: BanHistoryEntry[];
}

export interface TopOffenders {
  offenders: (OffenderCounts & { ip: string })[];
  networks: (OffenderCounts & { network: string })[];
}

export type BanOutcome = { banned: number } | { refused: { target: string; overlaps: string } };

/** `status JAIL` (docs/protocol.md). */
export interface JailStatus {
  jail: string;
  filter: {
    currentlyFailed: number;
    totalFailed: number;
    /** Ids dropped at the tracking cap. */
    evicted: number;
    /** Lines given up because one regex held them longer than linetimeout. */
    abandonedLines: number;
    files?: string[];
    journalMatch?: string[];
    /** True when the jail has no log source and is fed only by reports. */
    reports: boolean;
  };
  actions: {
    currentlyBanned: number;
    totalBanned: number;
    bannedIps: string[];
    /** Why the jail's bans block nobody; absent when they are enforced. */
    notEnforced?: string;
  };
}

/** What a jail's pipeline has done since it was built: its sources, its filter and its actions. */
export interface JailCounters {
  /** Lines its sources delivered. */
  linesRead: number;
  /** Lines that gave at least one failure. */
  linesMatched: number;
  /**
   * The filter's matching time per batch of lines: `counts[i]` batches took at most `buckets[i]` seconds
   * (and more than the bucket before); the last count, one longer than `buckets`, is above them all.
   */
  matchSeconds: { buckets: readonly number[]; counts: readonly number[]; sum: number };
  /** Failures the ignore list dropped. */
  ignoredFailures: number;
  /** Lines given up at linetimeout. */
  abandonedLines: number;
  /** Per action and operation (ban, unban, restore, check, reconcile): how often it ran and failed. */
  actions: { action: string; operation: string; runs: number; failures: number }[];
  /** Each file followed: bytes between the read position and the end of the file. */
  sourceLag: { file: string; bytes: number }[];
}

/** What `get JAIL <option>` reads. */
export interface JailOptionValues {
  findtime: number;
  bantime: number;
  maxretry: number;
  logpath: string[];
  ignoreip: string[];
  failregex: string[];
}

export type JailOptionName = keyof JailOptionValues;

export const JAIL_OPTION_NAMES: readonly JailOptionName[] = ['findtime', 'bantime', 'maxretry', 'logpath', 'ignoreip', 'failregex'];

export function isJailOptionName(name: string | undefined): name is JailOptionName {
  return (JAIL_OPTION_NAMES as readonly (string | undefined)[]).includes(name);
}

/** The error every jail-taking method of DaemonControl throws for a jail that does not run. */
export function unknownJail(name: string | undefined): BanwardError {
  return new BanwardError('BANWARD_ERR_COMMAND', `no jail named '${name ?? ''}' (see banward status)`);
}

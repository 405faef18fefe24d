import type { Clock } from '../clock.js';
import type { UseDns } from '../config/index.js';
import type { BanStore } from '../decision/ban-store.js';
import type { BanAction } from '../enforcer/ban-action.js';
import type { Filter } from '../filter/filter.js';
import type { LineMatcher } from '../filter/runner/index.js';
import type { Logger } from '../log/logger.js';
import type { FailureEntry } from './failure-counter.js';
import type { JailEventSink } from './jail-events.js';

/** What the jail needs from its failure tracking (failure-counter.ts). */
export interface FailureTracker {
  add(id: string, time: number, lines: readonly string[], attempts?: number): number;
  /** Forgets the id; returns the lines it kept (up to maxmatches, oldest first). */
  reset(id: string): string[];
  cleanup(now: number): void;
  /** The id's count compared with maxretry, or undefined when it has no failures kept. */
  get(id: string): { count: number } | undefined;
  /** The id's kept lines with their failure times, oldest first. */
  entries(id: string): FailureEntry[];
  readonly currentlyFailed: number;
  readonly totalFailed: number;
  /** Ids dropped because the jail tracked its maximum (memory bound). */
  readonly evicted: number;
}

/** What the jail needs from its ignore list (ignore-list.ts). */
export interface IgnoreCheck {
  isIgnored(ip: string): Promise<{ ignored: boolean; source?: string }>;
  /** The answer without I/O, valid as the whole answer when `isStatic`; for a network, whether it overlaps any entry. */
  matchStatic(ip: string): { ignored: boolean; source?: string };
  readonly isStatic: boolean;
  add(entry: string): void;
  remove(entry: string): void;
  entries(): string[];
}

/** What the jail needs from its ban-time policy (ban-time-policy.ts). */
export interface BantimeRule {
  nextBantime(input: { base: number; banCount: number }): number;
}

export interface JailParts {
  name: string;
  /** Null for a jail fed only by application reports. */
  filter: Filter | null;
  /** Runs the filter on the lines (default: inline, on this thread). */
  matcher?: LineMatcher;
  failures: FailureTracker;
  ignore: IgnoreCheck;
  bantime: BantimeRule;
  baseBantime: number;
  maxretry: number;
  /** IPv6 failures counted and banned per /N network (ban-scope.ts); 0 or absent: per address. */
  countprefix6?: number;
  /** Count bans of an ip across all jails for bantime.increment. */
  overallJails: boolean;
  /** Host names in failures: resolved to addresses (yes, warn), or counted as they are (no, raw). */
  usedns: UseDns;
  /** Resolves a host name (default: node:dns lookup); injected in tests. */
  resolve?: (name: string) => Promise<string[]>;
  store: BanStore;
  actions: readonly BanAction[];
  clock: Clock;
  log: Logger;
  /** Found, ban, unban and action errors, for whoever listens (default: nobody). */
  events?: JailEventSink;
}

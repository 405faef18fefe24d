/**
 * Per-id failure counting for one jail, as fail2ban's FailManager does it, on the failures' own
 * (log) times so a replay counts exactly like live operation.
 *
 * The count is not a sliding window of stored timestamps: like fail2ban, an id keeps one counter and
 * the time span it covers. When a new failure would stretch that span beyond findtime, the counter
 * is first scaled down to the rate it represents over findtime (`round(count / span * findtime)`),
 * so a failure long after the previous ones starts practically afresh (1 failure 10 hours ago
 * counts as 0) while a steady stream keeps its weight.
 *
 * Memory is bounded: at most `maxTracked` ids; when a new id would exceed it, the id updated
 * longest ago is dropped and counted in `evicted`. The Map's insertion order is the update order
 * (an updated id is re-inserted), so that id is always the first one. No timers: `cleanup(now)` is
 * called by the jail's tick.
 */
import { BanwardError } from '../errors.js';

export const DEFAULT_MAX_TRACKED_IDS = 100_000;

export interface FailureCounterOptions {
  /** Seconds. */
  findtime: number;
  /** Log lines kept per id, the newest (fail2ban's maxmatches); 0 keeps none. Default 5, as in fail2ban. */
  maxmatches?: number;
  /** Ids tracked at most (default 100,000). */
  maxTracked?: number;
}

export interface FailureRecord {
  id: string;
  /** Start of the span the count covers. */
  firstTime: number;
  /** Time of the newest failure. */
  lastTime: number;
  /** The count compared with maxretry. */
  count: number;
  /** Every failure ever added for this id since it was last reset (fail2ban's "failures"). */
  attempts: number;
  /** The newest match lines, at most maxmatches. */
  matches: string[];
}

/** Python's round(): halves go to the even neighbour, so counts match fail2ban's exactly. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export class FailureCounter {
  private readonly entries = new Map<string, FailureRecord>();
  private readonly findtime: number;
  private readonly maxmatches: number;
  private readonly maxTracked: number;
  private total = 0;
  private evictions = 0;

  constructor(options: FailureCounterOptions) {
    const { findtime, maxmatches = 5, maxTracked = DEFAULT_MAX_TRACKED_IDS } = options;
    const check = (ok: boolean, what: string): void => {
      if (!ok) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `failure counter: ${what}`);
    };
    check(Number.isFinite(findtime) && findtime > 0, `findtime must be above 0 seconds, not ${findtime}`);
    check(Number.isInteger(maxmatches) && maxmatches >= 0, `maxmatches must be a whole number of 0 or more, not ${maxmatches}`);
    check(Number.isInteger(maxTracked) && maxTracked >= 1, `the cap on tracked ids must be 1 or more, not ${maxTracked}`);
    this.findtime = findtime;
    this.maxmatches = maxmatches;
    this.maxTracked = maxTracked;
  }

  /**
   * Records `attempts` failures of `id` at `time` (epoch seconds), with the log lines they were found
   * on, and returns the id's count, to compare with maxretry.
   */
  add(id: string, time: number, lines: readonly string[], attempts = 1): number {
    this.total++;
    let entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
      if (time > entry.lastTime) {
        if (entry.firstTime < time - this.findtime) {
          entry.count = roundHalfEven((entry.count / (time - entry.firstTime)) * this.findtime);
          entry.firstTime = time - this.findtime;
        }
        entry.lastTime = time;
      }
      entry.count += attempts;
      entry.attempts += attempts;
    } else {
      while (this.entries.size >= this.maxTracked) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
        this.evictions++;
      }
      entry = { id, firstTime: time, lastTime: time, count: attempts, attempts, matches: [] };
    }
    if (this.maxmatches > 0) {
      entry.matches.push(...lines);
      if (entry.matches.length > this.maxmatches) entry.matches.splice(0, entry.matches.length - this.maxmatches);
    }
    this.entries.set(id, entry);
    return entry.count;
  }

  /** The id's current state (a copy), or undefined. */
  get(id: string): FailureRecord | undefined {
    const entry = this.entries.get(id);
    return entry && { ...entry, matches: [...entry.matches] };
  }

  /** Forgets an id (after its ban); returns the lines it kept, oldest first, for the ban. */
  reset(id: string): string[] {
    const matches = this.entries.get(id)?.matches ?? [];
    this.entries.delete(id);
    return matches;
  }

  /** Drops ids whose newest failure is findtime or more before `now`; returns how many. */
  cleanup(now: number): number {
    const limit = now - this.findtime;
    let removed = 0;
    for (const [id, entry] of this.entries) {
      if (entry.lastTime <= limit) {
        this.entries.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Ids with failures now (fail2ban's "Currently failed"). */
  get currentlyFailed(): number {
    return this.entries.size;
  }

  /** Failures added since start (fail2ban's "Total failed"). */
  get totalFailed(): number {
    return this.total;
  }

  /** Ids dropped because the cap on tracked ids was reached. */
  get evicted(): number {
    return this.evictions;
  }
}

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
 * longest ago is dropped and counted in `evicted`. No timers: `cleanup(now)` is called by the jail's tick.
 *
 * The state is packed, since a botnet makes it 100k ids: a Map from id to a slot, the slot's numbers in
 * typed arrays, its kept lines in one ring of maxmatches places per slot, and the update order as a
 * doubly linked list of slots (head: updated longest ago), so a failure allocates nothing but its id.
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

/** One counted failure as kept: its time and the log lines (or the report) it was found on. */
export interface FailureEntry {
  time: number;
  lines: string[];
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

const NONE = -1;
const FIRST_CAPACITY = 1024;

export class FailureCounter {
  private readonly slots = new Map<string, number>();
  private readonly findtime: number;
  private readonly maxmatches: number;
  private readonly maxTracked: number;
  private total = 0;
  private evictions = 0;
  private capacity = 0;
  private ids: Array<string | undefined> = [];
  private firstTime = new Float64Array(0);
  private lastTime = new Float64Array(0);
  private counts = new Float64Array(0);
  private attemptCounts = new Float64Array(0);
  private older = new Int32Array(0);
  private newer = new Int32Array(0);
  /** Slot s keeps its lines in matches[s * maxmatches ...], `matchCount[s]` of them from `matchStart[s]` on. */
  private matches: Array<string | undefined> = [];
  /** The failure time of each kept line, at the same index as the line. */
  private matchTimes: number[] = [];
  private matchStart = new Int32Array(0);
  private matchCount = new Int32Array(0);
  private oldest = NONE;
  private newest = NONE;
  /** Slots given back (reset, cleanup, eviction), reused before a new one is taken. */
  private free: number[] = [];
  private used = 0;

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
    let slot = this.slots.get(id);
    if (slot !== undefined) {
      this.unlink(slot);
      const last = this.lastTime[slot]!;
      if (time > last) {
        const first = this.firstTime[slot]!;
        if (first < time - this.findtime) {
          this.counts[slot] = roundHalfEven((this.counts[slot]! / (time - first)) * this.findtime);
          this.firstTime[slot] = time - this.findtime;
        }
        this.lastTime[slot] = time;
      }
      this.counts[slot] = this.counts[slot]! + attempts;
      this.attemptCounts[slot] = this.attemptCounts[slot]! + attempts;
    } else {
      while (this.slots.size >= this.maxTracked) {
        this.drop(this.oldest);
        this.evictions++;
      }
      slot = this.take();
      this.slots.set(id, slot);
      this.ids[slot] = id;
      this.firstTime[slot] = time;
      this.lastTime[slot] = time;
      this.counts[slot] = attempts;
      this.attemptCounts[slot] = attempts;
      this.matchStart[slot] = 0;
      this.matchCount[slot] = 0;
    }
    this.append(slot);
    for (const line of lines) this.keep(slot, line, time);
    return this.counts[slot]!;
  }

  /** The id's current state (a copy), or undefined. */
  get(id: string): FailureRecord | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    return {
      id,
      firstTime: this.firstTime[slot]!,
      lastTime: this.lastTime[slot]!,
      count: this.counts[slot]!,
      attempts: this.attemptCounts[slot]!,
      matches: this.kept(slot),
    };
  }

  /** The id's kept lines grouped by failure, oldest first: each failure's time and its lines. */
  entries(id: string): FailureEntry[] {
    const slot = this.slots.get(id);
    if (slot === undefined) return [];
    const out: FailureEntry[] = [];
    this.eachKept(slot, (line, time) => {
      const last = out.at(-1);
      if (last && last.time === time) last.lines.push(line);
      else out.push({ time, lines: [line] });
    });
    return out;
  }

  /** Forgets an id (after its ban); returns the lines it kept, oldest first, for the ban. */
  reset(id: string): string[] {
    const slot = this.slots.get(id);
    if (slot === undefined) return [];
    const matches = this.kept(slot);
    this.drop(slot);
    return matches;
  }

  /** Drops ids whose newest failure is findtime or more before `now`; returns how many. */
  cleanup(now: number): number {
    const limit = now - this.findtime;
    let removed = 0;
    for (let slot = this.oldest; slot !== NONE;) {
      const next = this.newer[slot]!;
      if (this.lastTime[slot]! <= limit) {
        this.drop(slot);
        removed++;
      }
      slot = next;
    }
    return removed;
  }

  /** Ids with failures now (fail2ban's "Currently failed"). */
  get currentlyFailed(): number {
    return this.slots.size;
  }

  /** Failures added since start (fail2ban's "Total failed"). */
  get totalFailed(): number {
    return this.total;
  }

  /** Ids dropped because the cap on tracked ids was reached. */
  get evicted(): number {
    return this.evictions;
  }

  /** Keeps `line` as the slot's newest, dropping its oldest beyond maxmatches. */
  private keep(slot: number, line: string, time: number): void {
    const max = this.maxmatches;
    if (max === 0) return;
    const count = this.matchCount[slot]!;
    const start = this.matchStart[slot]!;
    const at = slot * max + ((start + count) % max);
    this.matches[at] = line;
    this.matchTimes[at] = time;
    if (count < max) this.matchCount[slot] = count + 1;
    else this.matchStart[slot] = (start + 1) % max;
  }

  private kept(slot: number): string[] {
    const out: string[] = [];
    this.eachKept(slot, (line) => out.push(line));
    return out;
  }

  private eachKept(slot: number, visit: (line: string, time: number) => void): void {
    const max = this.maxmatches;
    for (let i = 0; i < this.matchCount[slot]!; i++) {
      const at = slot * max + ((this.matchStart[slot]! + i) % max);
      visit(this.matches[at]!, this.matchTimes[at]!);
    }
  }

  private drop(slot: number): void {
    this.slots.delete(this.ids[slot]!);
    this.ids[slot] = undefined;
    for (let i = 0; i < this.maxmatches; i++) this.matches[slot * this.maxmatches + i] = undefined;
    this.unlink(slot);
    this.free.push(slot);
  }

  private take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.capacity) this.grow(Math.min(this.maxTracked, Math.max(FIRST_CAPACITY, this.capacity * 2)));
    return this.used++;
  }

  private grow(capacity: number): void {
    const grown = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.firstTime = grown(this.firstTime, (n) => new Float64Array(n));
    this.lastTime = grown(this.lastTime, (n) => new Float64Array(n));
    this.counts = grown(this.counts, (n) => new Float64Array(n));
    this.attemptCounts = grown(this.attemptCounts, (n) => new Float64Array(n));
    this.older = grown(this.older, (n) => new Int32Array(n));
    this.newer = grown(this.newer, (n) => new Int32Array(n));
    this.matchStart = grown(this.matchStart, (n) => new Int32Array(n));
    this.matchCount = grown(this.matchCount, (n) => new Int32Array(n));
    this.capacity = capacity;
  }

  private unlink(slot: number): void {
    const older = this.older[slot]!;
    const newer = this.newer[slot]!;
    if (older === NONE) this.oldest = newer;
    else this.newer[older] = newer;
    if (newer === NONE) this.newest = older;
    else this.older[newer] = older;
  }

  private append(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.newer[this.newest] = slot;
    this.newest = slot;
  }
}

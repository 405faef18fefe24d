/** Upper bounds (seconds) of the per-batch matching time buckets; a last bucket above them is +Inf. */
export const MATCH_SECONDS_BUCKETS: readonly number[] = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

/**
 * What a matcher has done, for the metrics: one update per batch of lines (never per line), so
 * counting costs nothing beside the matching.
 */
export class MatchStats {
  lines = 0;
  /** Lines that gave at least one failure. */
  matched = 0;
  /** Batches whose time fell in each bucket of MATCH_SECONDS_BUCKETS (not cumulative; the last is +Inf). */
  readonly batchSeconds: number[] = new Array<number>(MATCH_SECONDS_BUCKETS.length + 1).fill(0);
  /** The batches' matching time added up. */
  seconds = 0;

  observe(lines: number, matched: number, seconds: number): void {
    this.lines += lines;
    this.matched += matched;
    this.seconds += seconds;
    let bucket = 0;
    while (bucket < MATCH_SECONDS_BUCKETS.length && seconds > MATCH_SECONDS_BUCKETS[bucket]!) bucket++;
    this.batchSeconds[bucket]!++;
  }
}

import type { SourceLine } from '../../source/log-source.js';
import type { FilterSpec, RegexKind } from '../filter.js';
import type { MatchedLines } from './line-matcher.js';

/** What the worker is given at start (workerData). */
export interface WorkerInit {
  spec: FilterSpec;
  heartbeat: SharedArrayBuffer;
}

/** A batch to match. Lines cross whole (structured clone), so a field added to SourceLine travels too. */
export interface BatchMessage {
  id: number;
  lines: readonly SourceLine[];
  /** The jail's clock when the batch was sent: the filter's `now` for these lines. */
  now: number;
  /** Indexes of lines abandoned on an earlier try of this batch. */
  skip: readonly number[];
}

export interface ResultMessage {
  id: number;
  found: MatchedLines;
}

/** Int32 slots of the heartbeat the worker writes and the watchdog reads. */
export const HB = { lines: 0, busy: 1, batch: 2, line: 3, kind: 4, regex: 5, size: 6 } as const;

export const REGEX_KINDS: readonly (RegexKind | 'none')[] = ['none', 'datepattern', 'prefregex', 'failregex', 'ignoreregex'];

import type { SourceLine } from '../../source/log-source.js';
import type { FilterSpec, RegexKind } from '../filter.js';
import type { PackedFailures } from './_packed-failures.js';

/** What the worker is given at start (workerData). */
export interface WorkerInit {
  spec: FilterSpec;
  heartbeat: SharedArrayBuffer;
}

/**
 * A batch to match: the lines' fields the filter reads, as columns (an array of strings clones far
 * faster than an array of objects). A field of SourceLine the filter comes to read must be added here.
 */
export interface BatchMessage {
  id: number;
  texts: readonly string[];
  /** Each line's own time (NaN: none); null when no line has one. */
  times: readonly number[] | null;
  /** Each line's backlog flag; null when no line has it. */
  backlog: readonly boolean[] | null;
  /** The jail's clock when the batch was sent: the filter's `now` for these lines. */
  now: number;
  /** Indexes of lines abandoned on an earlier try of this batch. */
  skip: readonly number[];
}

export interface ResultMessage {
  id: number;
  found: PackedFailures;
  /** How long the worker took to match the batch. */
  seconds: number;
}

/** The batch of `lines` numbered `id`. */
export function batchMessage(id: number, lines: readonly SourceLine[], now: number): BatchMessage {
  const timed = lines.some((l) => l.time !== undefined);
  const backlog = lines.some((l) => l.backlog !== undefined);
  return {
    id,
    texts: lines.map((l) => l.text),
    times: timed ? lines.map((l) => l.time ?? Number.NaN) : null,
    backlog: backlog ? lines.map((l) => l.backlog === true) : null,
    now,
    skip: [],
  };
}

/** The lines of a batch again, as the filter takes them (the origin is the jail's business). */
export function batchLines(batch: BatchMessage): SourceLine[] {
  const { texts, times, backlog } = batch;
  return texts.map((text, i) => {
    const line: SourceLine = { text, origin: '' };
    const time = times?.[i];
    if (time !== undefined && !Number.isNaN(time)) line.time = time;
    const b = backlog?.[i];
    if (b !== undefined) line.backlog = b;
    return line;
  });
}

/** Int32 slots of the heartbeat the worker writes and the watchdog reads. */
export const HB = { lines: 0, busy: 1, batch: 2, line: 3, kind: 4, regex: 5, size: 6 } as const;

export const REGEX_KINDS: readonly (RegexKind | 'none')[] = ['none', 'datepattern', 'prefregex', 'failregex', 'ignoreregex'];

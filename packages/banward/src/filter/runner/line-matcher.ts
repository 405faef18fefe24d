import type { SourceLine } from '../../source/log-source.js';
import type { Failure } from '../failure.js';
import type { Filter } from '../filter.js';
import { MatchStats } from './match-stats.js';

/** The failures found in a batch of lines: [index of the line in the batch, its failures], in order. */
export type MatchedLines = ReadonlyArray<readonly [index: number, failures: Failure[]]>;

/** How a jail has its lines matched: on its own thread (inline) or in a worker under a watchdog. */
export interface LineMatcher {
  /** The failures of `lines`, at once (inline) or when the worker is done with them (in order). */
  match(lines: readonly SourceLine[]): MatchedLines | Promise<MatchedLines>;
  /** Undefined while it takes more lines; otherwise resolves when it does again (backpressure). */
  ready(): Promise<void> | undefined;
  /** Lines given up because one regex took longer than the bound on them. */
  readonly abandoned: number;
  /** Lines matched so far and the time their batches took. */
  readonly stats: MatchStats;
  /** Gets ready for the first lines (a worker is started), so the first failure does not wait for it. */
  open(): void;
  close(): Promise<void>;
}

/** The lines' failures, but for those in `skip`; `onLine` is told each line's index before it runs. */
export function matchLines(
  filter: Filter, lines: readonly SourceLine[], skip?: ReadonlySet<number>, onLine?: (index: number) => void,
): Array<[number, Failure[]]> {
  const found: Array<[number, Failure[]]> = [];
  for (let i = 0; i < lines.length; i++) {
    if (skip?.has(i)) continue;
    onLine?.(i);
    const failures = filter.failures(lines[i]!);
    if (failures.length > 0) found.push([i, failures]);
  }
  return found;
}

/** Matching on the caller's thread, unbounded: `banward regex`, unit tests, `linetimeout = 0`. */
export class InlineMatcher implements LineMatcher {
  readonly abandoned = 0;
  readonly stats = new MatchStats();

  constructor(private readonly filter: Filter) {}

  match(lines: readonly SourceLine[]): MatchedLines {
    const start = performance.now();
    const found = matchLines(this.filter, lines);
    this.stats.observe(lines.length, found.length, (performance.now() - start) / 1000);
    return found;
  }

  ready(): undefined {
    return undefined;
  }

  open(): void {}

  async close(): Promise<void> {}
}

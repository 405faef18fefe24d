import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fixedClock } from '../clock.js';
import { Filter, type FilterSpec } from '../filter/filter.js';
import { readLines, type ByteRange } from '../source/line-reader.js';
import { addStats, RegexSession, type KeepLines } from './_regex-session.js';

/** Below this size a log is tested on this thread: starting the workers would cost more than they save. */
const MIN_BYTES_PER_PART = 8 << 20;
const MAX_PARTS = 4;

/** One part of a log to test: what a worker thread is given. */
export interface PartJob {
  path: string;
  range: ByteRange;
  spec: FilterSpec;
  now: number;
  ignoreRegexCount: number;
  keep: KeepLines;
}

export interface PartResult {
  stats: RegexSession['stats'];
  /** Raw lines read, comment and empty lines included. */
  lines: number;
  prefRegexMatches: number;
}

/**
 * A log can be tested in parts, each on a thread of its own, with the verdicts one pass gives, when a
 * line's verdict depends on that line alone: one line at a time (maxlines 1), no <F-MLFID> merging
 * across lines, and a date detector that learns nothing from earlier lines.
 */
export function canTestInParts(filter: Filter): boolean {
  const merges = (r: { hasGroup(name: string): boolean } | null) => r !== null && r.hasGroup('mlfid');
  return filter.maxLineCount === 1 && !merges(filter.prefRegex) && !filter.failRegexes.some(merges) && filter.dateDetector.stateless;
}

/** How many parts a log of this size is worth cutting into on this machine (1: test it here). */
export function partCount(bytes: number): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_PARTS, Math.floor(bytes / MIN_BYTES_PER_PART)));
}

/** `count` byte ranges covering the file, each beginning at the start of a line. */
export function lineAlignedRanges(path: string, count: number): ByteRange[] {
  const size = statSync(path).size;
  const starts = [0];
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    for (let k = 1; k < count; k++) {
      let position = Math.max(Math.floor((size * k) / count), starts.at(-1)!);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        const nl = buffer.subarray(0, n).indexOf(10);
        if (n === 0 || nl >= 0) {
          position = n === 0 ? size : position + nl + 1;
          break;
        }
        position += n;
      }
      starts.push(position);
    }
  } finally {
    closeSync(fd);
  }
  return starts.map((start, k) => ({ start, end: starts[k + 1] ?? size }));
}

/** Tests one part of a log with a filter of its own (what each worker thread runs). */
export function testPart(job: PartJob): PartResult {
  const filter: Filter = new Filter({ ...job.spec, now: fixedClock(job.now), onIgnoreRegex: (i) => session.onIgnoreRegex(i) });
  const session = new RegexSession(filter, job.ignoreRegexCount, job.keep);
  for (const line of readLines(job.path, undefined, undefined, job.range)) session.test(line);
  return { stats: session.stats, lines: session.linesRead, prefRegexMatches: filter.prefRegexMatches };
}

/**
 * Tests the parts on worker threads, then adds up their statistics in file order into `session`'s and
 * their prefregex matches into `filter`'s, as one pass over the whole log would have counted them.
 */
export async function testInParts(jobs: readonly PartJob[], session: RegexSession, filter: Filter): Promise<void> {
  const results = await Promise.all(jobs.map((job) => new Promise<PartResult>((resolve, reject) => {
    const worker = new Worker(new URL('./_regex-worker.js', import.meta.url), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`regex worker exited with code ${code}`)));
  })));
  let offset = 0;
  for (const [i, result] of results.entries()) {
    addStats(session.stats, result.stats, offset, jobs[i]!.keep);
    offset += result.lines;
    filter.prefRegexMatches += result.prefRegexMatches;
  }
}

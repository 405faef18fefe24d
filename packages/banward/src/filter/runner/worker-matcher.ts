import { Worker } from 'node:worker_threads';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import type { SourceLine } from '../../source/log-source.js';
import type { FilterSpec, RegexKind } from '../filter.js';
import { unpackFailures } from './_packed-failures.js';
import { batchMessage, HB, REGEX_KINDS, type BatchMessage, type ResultMessage, type WorkerInit } from './_protocol.js';
import type { LineMatcher, MatchedLines } from './line-matcher.js';
import { MatchStats } from './match-stats.js';

const WORKER_URL = new URL('./_worker.js', import.meta.url);
/**
 * The worker's young generation, in MB. A worker keeps little from line to line (the filter and its
 * caches), but a batch's lines and failures live while it is matched: at 6 MB they outlived a scavenge
 * and a third of the worker's time went to the collector. Measured with 100,000 failure lines in four
 * paired runs: 6 MB took 0.62–0.79 s to a peak of 166–197 MB, 16 MB 0.51–0.66 s to 164–186 MB; 32 and 64
 * were no quicker than 16 and peaked higher.
 */
const WORKER_YOUNG_MB = 16;
/** Seconds between two log lines about abandoned lines of one filter. */
const REPORT_EVERY = 60;

export interface WorkerMatcherOptions {
  spec: FilterSpec;
  /** Milliseconds one line may hold the filter before it is abandoned. */
  timeoutMs: number;
  /** The jail's clock: each batch's `now`, and the once-a-minute window of the abandon message. */
  clock: Clock;
  log: Logger;
  /** The regexes as written, to name the one a line was abandoned in. */
  regexes: Readonly<Record<RegexKind, readonly string[]>>;
  /** Lines per message to the worker (a restart redoes at most one batch). */
  batchLines?: number;
  /** Batches sent and not answered before `ready()` asks the source to wait. */
  maxInFlight?: number;
}

interface Pending {
  message: BatchMessage;
  resolve: (found: MatchedLines) => void;
  reject: (error: Error) => void;
}

/**
 * Runs a filter in a worker thread, fed in batches. The worker publishes the line and regex it is on in a
 * shared heartbeat; a watchdog here terminates a worker that stays on one line longer than the bound,
 * starts a new one and sends it the unanswered batches again, without that line. Answers come in order.
 */
export class WorkerMatcher implements LineMatcher {
  abandoned = 0;
  readonly stats = new MatchStats();
  private worker: Worker | null = null;
  private heartbeat: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private readonly pending: Pending[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | null = null;
  private seen = { lines: -1, since: 0 };
  private waiters: Array<() => void> = [];
  private closed = false;
  private failed: Error | null = null;
  private lastReport = Number.NEGATIVE_INFINITY;
  private unreported = 0;
  private readonly batchLines: number;
  private readonly maxInFlight: number;
  /** Answers received and not yet handed on, with the worker that sent them. */
  private readonly answers: Array<{ worker: Worker; result: ResultMessage }> = [];

  constructor(private readonly options: WorkerMatcherOptions) {
    this.batchLines = options.batchLines ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 3;
  }

  match(lines: readonly SourceLine[]): Promise<MatchedLines> {
    const parts: Array<Promise<MatchedLines>> = [];
    for (let start = 0; start < lines.length; start += this.batchLines) {
      const sent = this.send(lines.slice(start, start + this.batchLines));
      parts.push(start === 0 ? sent : sent.then((found) => found.map(([i, f]) => [i + start, f] as const)));
    }
    return Promise.all(parts).then((all) => all.flat());
  }

  ready(): Promise<void> | undefined {
    if (this.pending.length < this.maxInFlight || this.closed) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  open(): void {
    if (!this.worker && !this.closed && !this.failed) this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.disarm();
    for (const p of this.pending.splice(0)) p.resolve([]);
    this.release();
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private send(lines: readonly SourceLine[]): Promise<MatchedLines> {
    if (this.closed) return Promise.resolve([]);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const pending: Pending = { message: batchMessage(this.nextId++, lines, this.options.clock()), resolve, reject };
      this.pending.push(pending);
      (this.worker ?? this.spawn()).postMessage(pending.message);
      this.arm();
    });
  }

  private spawn(): Worker {
    const heartbeat = new SharedArrayBuffer(HB.size * Int32Array.BYTES_PER_ELEMENT);
    const worker = new Worker(WORKER_URL, {
      workerData: { spec: this.options.spec, heartbeat } satisfies WorkerInit,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    });
    this.worker = worker;
    this.heartbeat = new Int32Array(heartbeat);
    this.seen = { lines: -1, since: 0 };
    worker.on('message', (result: ResultMessage) => this.received(worker, result));
    worker.on('error', (error) => { if (this.worker === worker) this.crashed(error); });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.pending.length > 0 && !this.closed) this.restart();
    });
    return worker;
  }

  /**
   * Answers are handed on one per turn of the event loop. A port delivers every message it holds in one go,
   * so a burst's ten batches of bans would otherwise be counted and committed back to back while `status`,
   * `ping` and app reports wait; between two batches the daemon now reads its sockets.
   */
  private received(worker: Worker, result: ResultMessage): void {
    if (this.answers.push({ worker, result }) === 1) setImmediate(() => this.handOn());
  }

  private handOn(): void {
    const next = this.answers.shift();
    if (!next) return;
    if (this.worker === next.worker) this.answer(next.result);
    if (this.answers.length > 0) setImmediate(() => this.handOn());
  }

  private answer(result: ResultMessage): void {
    const head = this.pending[0];
    if (head?.message.id !== result.id) return;
    this.pending.shift();
    const found = unpackFailures(result.found, head.message.texts);
    this.stats.observe(head.message.texts.length - head.message.skip.length, found.length, result.seconds);
    head.resolve(found);
    if (this.pending.length === 0) this.disarm();
    if (this.pending.length < this.maxInFlight) this.release();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private arm(): void {
    if (this.timer) return;
    const every = Math.max(5, Math.min(100, Math.floor(this.options.timeoutMs / 4)));
    this.timer = setInterval(() => this.check(), every);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The watchdog: the worker has been on the same line since `seen.since`. */
  private check(): void {
    if (!this.worker) return;
    const now = performance.now();
    const lines = Atomics.load(this.heartbeat, HB.lines);
    if (Atomics.load(this.heartbeat, HB.busy) === 0 || lines !== this.seen.lines) {
      this.seen = { lines, since: now };
      return;
    }
    if (now - this.seen.since < this.options.timeoutMs) return;
    const kind = REGEX_KINDS[Atomics.load(this.heartbeat, HB.kind)] ?? 'none';
    this.skipCurrentLine();
    this.abandoned++;
    this.report(kind, Atomics.load(this.heartbeat, HB.regex));
    this.restart();
  }

  /** Leaves the line the worker is on out of its batch when the batch is sent again. */
  private skipCurrentLine(): void {
    const id = Atomics.load(this.heartbeat, HB.batch);
    const line = Atomics.load(this.heartbeat, HB.line);
    const pending = this.pending.find((p) => p.message.id === id);
    if (pending) pending.message = { ...pending.message, skip: [...pending.message.skip, line] };
  }

  private restart(): void {
    const old = this.worker;
    this.worker = null;
    void old?.terminate();
    if (this.closed || this.pending.length === 0) return;
    const worker = this.spawn();
    for (const p of this.pending) worker.postMessage(p.message);
  }

  /** A line that throws in the filter is a bug, not an attack: say so, skip it and go on. */
  private crashed(error: Error): void {
    this.options.log.error(`filter worker failed: ${error.message}`);
    if (Atomics.load(this.heartbeat, HB.busy) === 0) {
      // It failed before any line (it could not build the filter): a restart would fail the same way.
      this.failed = error;
      for (const p of this.pending.splice(0)) p.reject(error);
      this.disarm();
      this.release();
      this.worker = null;
      return;
    }
    this.skipCurrentLine();
    this.restart();
  }

  private report(kind: RegexKind | 'none', index: number): void {
    const now = this.options.clock();
    if (now - this.lastReport < REPORT_EVERY) {
      this.unreported++;
      return;
    }
    const regex = kind === 'none' ? '' : ` in ${kind} ${index + 1}: ${this.options.regexes[kind]?.[index] ?? ''}`;
    const more = this.unreported > 0 ? ` (${this.unreported} more since the last report)` : '';
    this.lastReport = now;
    this.unreported = 0;
    this.options.log.warn(`abandoned a line after ${this.options.timeoutMs} ms${regex}${more}`);
  }
}

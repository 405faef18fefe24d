import { exchange, type DaemonRequest, type DaemonResponse } from './_daemon-socket.js';
import { warnOnce } from './errors.js';

export interface Report {
  ip: string;
  username: string | undefined;
  /** Epoch seconds of the failure, so a report sent late is still counted at the right time. */
  time: number;
}

export interface ReporterStats {
  queued: number;
  sent: number;
  accepted: number;
  rejected: number;
  dropped: number;
  errors: number;
}

export interface SocketReporterOptions {
  socketPath: string;
  jail: string;
  maxQueue: number;
  batchDelayMs: number;
  timeoutMs: number;
  /** Sees each accepted report with the daemon's result (which says whether the address is now banned). */
  onAccepted?: (report: Report, result: unknown) => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Sends `report` requests to the banward daemon (docs/protocol.md) in the background. `enqueue` never blocks
 * and never throws: reports wait in a bounded queue (the oldest is dropped and counted when it is full) and
 * go out in batches over one connection per batch; a batch the daemon did not answer goes back to the
 * queue and is retried with backoff, so a daemon that is down or slow never holds a request up.
 */
export class SocketReporter {
  readonly #opts: SocketReporterOptions;
  readonly #queue: Report[] = [];
  readonly #stats: ReporterStats = { queued: 0, sent: 0, accepted: 0, rejected: 0, dropped: 0, errors: 0 };
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #backoffMs = 0;
  #closed = false;

  constructor(opts: SocketReporterOptions) {
    this.#opts = opts;
  }

  get stats(): Readonly<ReporterStats> {
    return { ...this.#stats, queued: this.#queue.length };
  }

  enqueue(report: Report): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#opts.maxQueue) {
      this.#queue.shift();
      this.#stats.dropped++;
    }
    this.#queue.push(report);
    this.#schedule(this.#opts.batchDelayMs);
  }

  /** Resolves once the queue is empty or a send attempt failed; for tests and graceful shutdown. */
  async flush(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    if (this.#queue.length > 0) await this.#send();
  }

  /** Sends what is queued (one attempt), then refuses further reports. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    if (this.#timer || this.#inFlight || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#send();
    }, delayMs);
    this.#timer.unref();
  }

  #send(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    const batch = this.#queue.splice(0, this.#queue.length);
    const run = this.#exchange(batch).then((answered) => {
      const unanswered = batch.slice(answered);
      if (unanswered.length > 0) {
        this.#requeue(unanswered);
        this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs === 0 ? 500 : this.#backoffMs * 2);
      } else {
        this.#backoffMs = 0;
      }
    });
    this.#inFlight = run.finally(() => {
      this.#inFlight = undefined;
      if (this.#queue.length > 0) this.#schedule(Math.max(this.#backoffMs, this.#opts.batchDelayMs));
    });
    return this.#inFlight;
  }

  #requeue(reports: Report[]): void {
    this.#queue.unshift(...reports);
    const excess = this.#queue.length - this.#opts.maxQueue;
    if (excess > 0) {
      this.#queue.splice(0, excess);
      this.#stats.dropped += excess;
    }
  }

  /** Sends the batch on one connection; resolves with how many requests, in order, were answered. */
  async #exchange(batch: Report[]): Promise<number> {
    this.#stats.sent += batch.length;
    const requests = batch.map((r): DaemonRequest => {
      const options: Record<string, string | number> = { time: r.time };
      if (r.username !== undefined) options['user'] = r.username;
      return { command: 'report', args: [this.#opts.jail, r.ip], options };
    });
    const { responses, error } = await exchange(this.#opts.socketPath, requests, this.#opts.timeoutMs);
    if (error) {
      this.#stats.errors++;
      warnOnce('BANWARD_WEB_W002', `${this.#opts.socketPath}: ${error.message}`);
    }
    responses.forEach((response, i) => this.#onResponse(batch[i]!, response));
    return responses.length;
  }

  #onResponse(report: Report, response: DaemonResponse): void {
    if (response.ok) {
      this.#stats.accepted++;
      this.#opts.onAccepted?.(report, response.result);
      return;
    }
    this.#stats.rejected++;
    const error = response.error;
    warnOnce('BANWARD_WEB_W003', `${String(error?.code)}: ${String(error?.message)}`);
  }
}

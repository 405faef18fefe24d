import { createConnection, type Socket } from 'node:net';
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
  #nextId = 1;
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

  /** Writes the batch on one connection; resolves with how many requests, in order, were answered. */
  #exchange(batch: Report[]): Promise<number> {
    return new Promise((resolve) => {
      let answered = 0;
      let buffer = '';
      let done = false;
      const socket: Socket = createConnection(this.#opts.socketPath);
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        socket.destroy();
        if (error) {
          this.#stats.errors++;
          warnOnce('BANWARD_WEB_W002', `${this.#opts.socketPath}: ${error.message}`);
        }
        resolve(answered);
      };
      socket.setTimeout(this.#opts.timeoutMs, () => finish(new Error(`no answer within ${this.#opts.timeoutMs} ms`)));
      socket.on('error', finish);
      socket.on('close', () => finish(answered < batch.length ? new Error('connection closed') : undefined));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line === '') continue;
          this.#onResponse(line);
          if (++answered === batch.length) finish();
        }
      });
      const lines = batch.map((r) => JSON.stringify({
        id: this.#nextId++,
        command: 'report',
        args: [this.#opts.jail, r.ip],
        options: r.username === undefined ? { time: r.time } : { user: r.username, time: r.time },
      }) + '\n');
      this.#stats.sent += batch.length;
      socket.write(lines.join(''));
    });
  }

  #onResponse(line: string): void {
    let response: { ok?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      response = JSON.parse(line) as typeof response;
    } catch {
      response = undefined;
    }
    if (response?.ok === true) {
      this.#stats.accepted++;
      return;
    }
    this.#stats.rejected++;
    const error = response?.error;
    warnOnce('BANWARD_WEB_W003', error ? `${String(error.code)}: ${String(error.message)}` : line.slice(0, 200));
  }
}

/**
 * The delivery queue of the notification actions: a ban never waits for a mail server or a web
 * hook. Events are queued (bounded: when full, the oldest is dropped and counted) and sent one at a
 * time by a background worker, with bounded retries and exponential backoff.
 */
import type { Logger } from '../../log/logger.js';

/** What one delivery attempt came to: done, worth another try, or hopeless. */
export type Delivery = 'ok' | 'retry' | 'fail';

export interface NotifyQueueOptions {
  name: string;
  log: Logger;
  /** Most events waiting; default 1000. */
  limit?: number;
  /** Further attempts after the first; default 3. */
  retries?: number;
  /** First backoff in ms, doubled per attempt up to maxBackoffMs; default 1000. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export class NotifyQueue<T> {
  private readonly items: T[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  dropped = 0;
  delivered = 0;
  failed = 0;

  constructor(
    private readonly send: (item: T) => Promise<Delivery>,
    private readonly options: NotifyQueueOptions,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    const limit = this.options.limit ?? 1000;
    if (this.items.length >= limit) {
      this.items.shift();
      if (this.dropped++ === 0 || this.dropped % 100 === 0) {
        this.options.log.warn(`${this.options.name}: queue full (${limit}); ${this.dropped} event(s) dropped so far`);
      }
    }
    this.items.push(item);
    // Delivery starts on a later turn of the event loop: the caller (a ban) is never held up.
    this.running ??= new Promise((r) => setImmediate(r)).then(() => this.work()).finally(() => {
      this.running = null;
      for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  get pending(): number {
    return this.items.length;
  }

  /** Resolves once the queue is empty and nothing is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (!this.running) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops taking events; waits up to `graceMs` for the rest to go out, then drops them. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (!(await this.idle(graceMs)) && this.items.length > 0) {
      this.options.log.warn(`${this.options.name}: ${this.items.length} event(s) not sent at stop`);
      this.items.length = 0;
    }
  }

  private async work(): Promise<void> {
    for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) {
      const retries = this.options.retries ?? 3;
      for (let attempt = 0; ; attempt++) {
        let result: Delivery;
        try {
          result = await this.send(item);
        } catch (error) {
          this.options.log.warn(`${this.options.name}: ${error instanceof Error ? error.message : String(error)}`);
          result = 'retry';
        }
        if (result === 'ok') {
          this.delivered++;
          break;
        }
        if (result === 'fail' || attempt >= retries || this.closed) {
          this.failed++;
          this.options.log.error(`${this.options.name}: event not delivered after ${attempt + 1} attempt(s)`);
          break;
        }
        const base = this.options.backoffMs ?? 1000;
        const delay = Math.min(base * 2 ** attempt, this.options.maxBackoffMs ?? 60_000);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

import { lockDuration, type LockoutPolicy, type LockoutStore } from './lockout.js';

interface Entry {
  /** Recent failure times (epoch ms). */
  failures: number[];
  /** When the running lock ends (0 = none). */
  lockedUntil: number;
  locks: number;
  lastLockAt: number;
}

/**
 * One process's lockout counters (what django-axes' cache handler does). At most `maxKeys` keys are kept:
 * when full, the least recently touched key is forgotten first, so a flood of addresses cannot grow memory.
 */
export class MemoryLockoutStore implements LockoutStore {
  readonly available = true;
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;

  constructor(options: { maxKeys?: number } = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  lockedFor(key: string, now: number): number {
    const entry = this.#entries.get(key);
    return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
  }

  fail(key: string, now: number, policy: LockoutPolicy): Promise<number> {
    const entry = this.#touch(key);
    if (entry.lockedUntil > now) return Promise.resolve(entry.lockedUntil - now);
    // Times are pushed in order, so the expired ones are at the front: a failure costs O(1), not O(failures).
    let expired = 0;
    while (expired < entry.failures.length && entry.failures[expired]! <= now - policy.windowMs) expired++;
    if (expired > 0) entry.failures.splice(0, expired);
    entry.failures.push(now);
    if (entry.failures.length < policy.maxFailures) return Promise.resolve(0);
    if (now - entry.lastLockAt > policy.historyMs) entry.locks = 0;
    entry.locks++;
    entry.lastLockAt = now;
    entry.failures = [];
    const duration = lockDuration(policy, entry.locks);
    entry.lockedUntil = now + duration;
    return Promise.resolve(duration);
  }

  reset(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry) entry.failures = [];
    return Promise.resolve();
  }

  unlock(matches: (key: string) => boolean): Promise<void> {
    for (const [key, entry] of this.#entries) {
      if (matches(key)) { entry.lockedUntil = 0; entry.failures = []; }
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }

  #touch(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
    } else {
      entry = { failures: [], lockedUntil: 0, locks: 0, lastLockAt: 0 };
      if (this.#entries.size >= this.#maxKeys) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
    }
    this.#entries.set(key, entry);
    return entry;
  }
}

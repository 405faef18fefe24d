/** One counter key per dimension a lockout can count by. */
export type LockoutDimension = 'ip' | 'username' | 'ip+username';

export interface LockoutPolicy {
  /** Failures within `windowMs` that lock the key. */
  maxFailures: number;
  windowMs: number;
  durationMs: number;
}

/** The state the store keeps for a key: recent failure times, and when a lock on it ends (0 = none). */
interface Entry {
  failures: number[];
  lockedUntil: number;
}

/**
 * In-memory lockout counters, one process's view (what django-axes' cache handler does). The clock is
 * injected, so tests and replays run on their own time. At most `maxKeys` keys are kept: when full, the
 * least recently touched key is forgotten first.
 */
export class MemoryLockoutStore {
  readonly #entries = new Map<string, Entry>();
  readonly #policy: LockoutPolicy;
  readonly #maxKeys: number;

  constructor(policy: LockoutPolicy, maxKeys: number) {
    this.#policy = policy;
    this.#maxKeys = maxKeys;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Milliseconds until the key's lock ends, or 0 when it is not locked. */
  lockedFor(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry || entry.lockedUntil <= now) return 0;
    return entry.lockedUntil - now;
  }

  /** Counts a failure; returns the lock's remaining milliseconds when this failure locked the key, else 0. */
  fail(key: string, now: number): number {
    const entry = this.#touch(key);
    if (entry.lockedUntil > now) return entry.lockedUntil - now;
    const since = now - this.#policy.windowMs;
    entry.failures = entry.failures.filter((t) => t > since);
    entry.failures.push(now);
    if (entry.failures.length < this.#policy.maxFailures) return 0;
    entry.failures = [];
    entry.lockedUntil = now + this.#policy.durationMs;
    return this.#policy.durationMs;
  }

  /** Forgets the key's failures (a successful login); a running lock stays. */
  reset(key: string, now: number): void {
    const entry = this.#entries.get(key);
    if (entry && entry.lockedUntil <= now) this.#entries.delete(key);
  }

  #touch(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
    } else {
      entry = { failures: [], lockedUntil: 0 };
      if (this.#entries.size >= this.#maxKeys) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
    }
    this.#entries.set(key, entry);
    return entry;
  }
}

/** The counter keys of a request: one per configured dimension that the request can be keyed by. */
export function lockoutKeys(by: readonly LockoutDimension[], ipKey: string | null, username: string | undefined): string[] {
  const keys: string[] = [];
  for (const dim of by) {
    if (dim === 'ip' && ipKey !== null) keys.push(`ip:${ipKey}`);
    else if (dim === 'username' && username !== undefined) keys.push(`user:${username}`);
    else if (dim === 'ip+username' && ipKey !== null && username !== undefined) {
      keys.push(`ip+user:${ipKey}\u0000${username}`);
    }
  }
  return keys;
}

/** What a lockout can count by. A list of them in `lockout.by` is OR; a nested list is AND (one counter). */
export type LockoutDimension = 'ip' | 'username';

/** `'ip'`, `'username'`, `['ip', 'username']` (both together), or the alias `'ip+username'`. */
export type LockoutCombination = LockoutDimension | 'ip+username' | readonly LockoutDimension[];

export interface LockoutPolicy {
  /** Failures within `windowMs` that lock the key. */
  maxFailures: number;
  windowMs: number;
  /** The first lock's length; each further lock of the key lasts `factor` times longer, up to `maxDurationMs`. */
  durationMs: number;
  factor: number;
  maxDurationMs: number;
  /** How long a key's lock count is remembered after its last lock (for the progressive cool-off). */
  historyMs: number;
}

/**
 * Where lockout counters live. `lockedFor` is called on every request, so it must answer from memory (no
 * I/O); the other calls may go over the network and never reject (a store that cannot reach its backend
 * answers 0 and reports itself unavailable).
 */
export interface LockoutStore {
  /** False while the store cannot count (its backend is down); `failClosed` refuses requests then. */
  readonly available: boolean;
  /** Milliseconds until the key's lock ends, or 0. */
  lockedFor(key: string, now: number): number;
  /** Counts a failure; resolves to the lock's remaining milliseconds when the key is (now) locked, else 0. */
  fail(key: string, now: number, policy: LockoutPolicy): Promise<number>;
  /** Forgets the key's failures (a successful login); a running lock stays. */
  reset(key: string, now: number): Promise<void>;
  /** Lifts the locks of every key `matches` accepts (the daemon unbanned an address). */
  unlock(matches: (key: string) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** The lock length for a key's `lockCount`-th lock (1-based): the progressive cool-off. */
export function lockDuration(policy: LockoutPolicy, lockCount: number): number {
  return Math.min(policy.maxDurationMs, Math.round(policy.durationMs * policy.factor ** (lockCount - 1)));
}

/** Turns the `by` option into AND-groups of dimensions, in a stable order so equal groups give equal keys. */
export function normalizeCombinations(by: readonly LockoutCombination[]): LockoutDimension[][] {
  const groups = by.map((c): LockoutDimension[] => (c === 'ip+username' ? ['ip', 'username'] : typeof c === 'string' ? [c] : [...c]));
  const unique = new Map(groups.map((g) => {
    const sorted = [...new Set(g)].sort();
    return [sorted.join('+'), sorted] as const;
  }));
  return [...unique.values()];
}

/** The counter keys of a request: one per combination whose every dimension is known for it. */
export function lockoutKeys(combinations: readonly LockoutDimension[][], ipKey: string | null, username: string | undefined): string[] {
  const keys: string[] = [];
  for (const group of combinations) {
    const parts: string[] = [];
    for (const dim of group) {
      const value = dim === 'ip' ? ipKey : username;
      if (value === null || value === undefined) break;
      parts.push(`${dim}=${value}`);
    }
    // NUL cannot appear in an address and is refused in user names, so keys cannot collide.
    if (parts.length === group.length) keys.push(parts.join('\u0000'));
  }
  return keys;
}

/** The address or network a key counts (alone or with a user name), or null for a key by user name only. */
export function ipOfKey(key: string): string | null {
  const part = key.split('\u0000').find((p) => p.startsWith('ip='));
  return part === undefined ? null : part.slice(3);
}

/** Whether a key counts a user name (alone or with the address): what a successful login resets. */
export function keyHasUsername(key: string): boolean {
  return key.split('\u0000').some((p) => p.startsWith('username='));
}

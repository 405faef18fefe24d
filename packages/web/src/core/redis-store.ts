import { warnOnce } from './errors.js';
import type { LockoutPolicy, LockoutStore } from './lockout.js';

/**
 * The part of an ioredis client the store uses (`new Redis(...)` fits). Commands go through `call`, so any
 * client offering it works; `duplicate()` gives the connection that listens for other instances' locks.
 */
export interface RedisClientLike {
  readonly status: string;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  duplicate(): RedisClientLike;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
}

export interface RedisLockoutStoreOptions {
  client: RedisClientLike;
  /** Prefix of every key and of the channel, so several apps can share one Redis. Default `banward:`. */
  prefix?: string;
  /** Epoch milliseconds; injected in tests. Default Date.now. */
  clock?: () => number;
}

// KEYS: failures (zset), lock, lock history (hash: count, last), all locks (zset). ARGV: now, window, max, duration, factor,
// max duration, history, unique member, channel, key. Atomic, so instances counting together never race.
const FAIL_SCRIPT = `
local now = tonumber(ARGV[1])
local lockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if lockedUntil > now then return lockedUntil end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], now, ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1])
local count = tonumber(redis.call('HGET', KEYS[3], 'count') or '0')
if now - tonumber(redis.call('HGET', KEYS[3], 'last') or '0') > tonumber(ARGV[7]) then count = 0 end
count = count + 1
redis.call('HSET', KEYS[3], 'count', count, 'last', now)
redis.call('PEXPIRE', KEYS[3], ARGV[7])
local duration = math.floor(math.min(tonumber(ARGV[6]), tonumber(ARGV[4]) * tonumber(ARGV[5]) ^ (count - 1)))
lockedUntil = now + duration
redis.call('SET', KEYS[2], lockedUntil, 'PX', duration)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
redis.call('ZADD', KEYS[4], lockedUntil, ARGV[10])
redis.call('PUBLISH', ARGV[9], lockedUntil .. ' ' .. ARGV[10])
return lockedUntil
`;

/**
 * Lockout counters in Redis, shared by every instance of an app. Counting is one Lua script per failure;
 * locks are announced on a channel and each instance keeps a copy, so checking a request needs no I/O.
 */
export class RedisLockoutStore implements LockoutStore {
  readonly #client: RedisClientLike;
  readonly #listener: RedisClientLike;
  readonly #prefix: string;
  readonly #clock: () => number;
  /** Locked key → when its lock ends (epoch ms). */
  readonly #locks = new Map<string, number>();
  #listening = false;
  readonly ready: Promise<void>;

  constructor(options: RedisLockoutStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'banward:';
    this.#clock = options.clock ?? Date.now;
    this.#listener = this.#client.duplicate();
    this.#listener.on('message', (_channel, message) => this.#onMessage(message));
    this.#listener.on('error', (error) => warnOnce('BANWARD_WEB_W005', error.message));
    // After a reconnect, ioredis subscribes again by itself; the copy is reloaded for what was missed.
    this.#listener.on('ready', () => void this.#load());
    this.ready = this.#listener.subscribe(this.#channel).then(() => this.#load(), () => undefined);
  }

  get available(): boolean {
    return this.#listening && this.#client.status === 'ready' && this.#listener.status === 'ready';
  }

  lockedFor(key: string, now: number): number {
    const until = this.#locks.get(key);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.#locks.delete(key);
    return 0;
  }

  async fail(key: string, now: number, policy: LockoutPolicy): Promise<number> {
    const p = this.#prefix;
    const until = await this.#call('EVAL', FAIL_SCRIPT, 4, `${p}f:${key}`, `${p}l:${key}`, `${p}n:${key}`, `${p}locks`,
      now, policy.windowMs, policy.maxFailures, policy.durationMs, policy.factor, policy.maxDurationMs,
      policy.historyMs, `${now}:${Math.random().toString(36).slice(2)}`, this.#channel, key);
    const lockedUntil = Number(until ?? 0);
    if (lockedUntil <= now) return 0;
    this.#locks.set(key, lockedUntil);
    return lockedUntil - now;
  }

  async reset(key: string): Promise<void> {
    await this.#call('DEL', `${this.#prefix}f:${key}`);
  }

  async unlock(matches: (key: string) => boolean): Promise<void> {
    for (const key of [...this.#locks.keys()].filter(matches)) {
      this.#locks.delete(key);
      await this.#call('DEL', `${this.#prefix}l:${key}`, `${this.#prefix}f:${key}`);
      await this.#call('ZREM', `${this.#prefix}locks`, key);
      await this.#call('PUBLISH', this.#channel, `0 ${key}`);
    }
  }

  async close(): Promise<void> {
    this.#listening = false;
    await this.#listener.quit().catch(() => undefined);
  }

  get #channel(): string {
    return `${this.#prefix}locks`;
  }

  /** A command that never rejects: a Redis that is down counts nothing and says so once. */
  async #call(command: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await this.#client.call(command, ...args);
    } catch (error) {
      warnOnce('BANWARD_WEB_W005', (error as Error).message);
      return null;
    }
  }

  async #load(): Promise<void> {
    const now = this.#clock();
    const rows = await this.#call('ZRANGEBYSCORE', `${this.#prefix}locks`, now, '+inf', 'WITHSCORES');
    if (!Array.isArray(rows)) return;
    this.#locks.clear();
    for (let i = 0; i + 1 < rows.length; i += 2) this.#locks.set(String(rows[i]), Number(rows[i + 1]));
    this.#listening = true;
  }

  #onMessage(message: string): void {
    const space = message.indexOf(' ');
    const until = Number(message.slice(0, space));
    const key = message.slice(space + 1);
    if (until > 0) this.#locks.set(key, until);
    else this.#locks.delete(key);
  }
}

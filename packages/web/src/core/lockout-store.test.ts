import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { manualClock } from '../../test/http.js';
import { startRedisServer } from '../../test/redis-server.js';
import type { LockoutPolicy, LockoutStore } from './lockout.js';
import { MemoryLockoutStore } from './memory-store.js';
import { RedisLockoutStore } from './redis-store.js';

const MIN = 60_000;
const policy: LockoutPolicy = { maxFailures: 3, windowMs: 10 * MIN, durationMs: 2 * MIN, factor: 1, maxDurationMs: 60 * MIN, historyMs: 24 * 60 * MIN };

type Clock = ReturnType<typeof manualClock>;

/** The contract every lockout store keeps; run once per implementation. */
function storeContract(name: string, makeStore: (clock: Clock) => Promise<LockoutStore>) {
  describe(`lockout store contract: ${name}`, () => {
    const withStore = async (run: (store: LockoutStore, clock: Clock) => Promise<void>) => {
      const clock = manualClock();
      const store = await makeStore(clock);
      try {
        await run(store, clock);
      } finally {
        await store.close();
      }
    };

    test('maxFailures within the window lock the key for the duration; other keys stay free', () => withStore(async (store, clock) => {
      assert.equal(await store.fail('ip=203.0.113.5', clock.now(), policy), 0);
      assert.equal(await store.fail('ip=203.0.113.5', clock.now(), policy), 0);
      assert.equal(store.lockedFor('ip=203.0.113.5', clock.now()), 0);
      assert.equal(await store.fail('ip=203.0.113.5', clock.now(), policy), 2 * MIN);
      assert.equal(store.lockedFor('ip=203.0.113.5', clock.now()), 2 * MIN);
      assert.equal(store.lockedFor('ip=203.0.113.6', clock.now()), 0);
      clock.advance(MIN);
      assert.equal(await store.fail('ip=203.0.113.5', clock.now(), policy), MIN, 'a failure while locked does not extend the lock');
      clock.advance(MIN);
      assert.equal(store.lockedFor('ip=203.0.113.5', clock.now()), 0, 'the lock ends on time');
    }));

    test('failures older than the window do not count', () => withStore(async (store, clock) => {
      await store.fail('user=bob', clock.now(), policy);
      await store.fail('user=bob', clock.now(), policy);
      clock.advance(10 * MIN + 1);
      assert.equal(await store.fail('user=bob', clock.now(), policy), 0);
      assert.equal(store.lockedFor('user=bob', clock.now()), 0);
    }));

    test('reset (a success) forgets the failures but not a running lock', () => withStore(async (store, clock) => {
      await store.fail('user=bob', clock.now(), policy);
      await store.fail('user=bob', clock.now(), policy);
      await store.reset('user=bob', clock.now());
      assert.equal(await store.fail('user=bob', clock.now(), policy), 0, 'counting starts again');
      for (let i = 0; i < 2; i++) await store.fail('user=bob', clock.now(), policy);
      await store.reset('user=bob', clock.now());
      assert.equal(store.lockedFor('user=bob', clock.now()), 2 * MIN);
    }));

    test('progressive cool-off: each further lock is factor times longer up to the maximum, history expires', () => withStore(async (store, clock) => {
      const progressive = { ...policy, factor: 3, maxDurationMs: 10 * MIN, historyMs: 60 * MIN };
      const lockOnce = async () => {
        let ms = 0;
        for (let i = 0; i < 3; i++) ms = await store.fail('ip=198.51.100.7', clock.now(), progressive);
        clock.advance(ms);
        return ms;
      };
      assert.deepEqual([await lockOnce(), await lockOnce(), await lockOnce()], [2 * MIN, 6 * MIN, 10 * MIN]);
      clock.advance(61 * MIN);
      assert.equal(await lockOnce(), 2 * MIN, 'after the history time the first length applies again');
    }));

    test('unlock lifts the locks of the keys it matches only', () => withStore(async (store, clock) => {
      for (const key of ['ip=203.0.113.5', 'ip=203.0.113.5\u0000username=bob', 'ip=203.0.113.6']) {
        for (let i = 0; i < 3; i++) await store.fail(key, clock.now(), policy);
      }
      await store.unlock((key) => key.split('\u0000').includes('ip=203.0.113.5'));
      assert.equal(store.lockedFor('ip=203.0.113.5', clock.now()), 0);
      assert.equal(store.lockedFor('ip=203.0.113.5\u0000username=bob', clock.now()), 0);
      assert.equal(store.lockedFor('ip=203.0.113.6', clock.now()), 2 * MIN);
      assert.equal(store.available, true);
    }));
  });
}

storeContract('memory', () => Promise.resolve(new MemoryLockoutStore()));

describe('Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis({ path: redis.path, maxRetriesPerRequest: 1, lazyConnect: false });
    clients.push(c);
    return c;
  };
  before(async () => { redis = await startRedisServer(); });
  after(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  let prefixes = 0;
  storeContract('redis', async (clock) => {
    const store = new RedisLockoutStore({ client: client(), prefix: `t${prefixes++}:`, clock: clock.now });
    await store.ready;
    return store;
  });

  test('instances share counters, and a lock taken by one is seen by the other without a request to Redis', async () => {
    const clock = manualClock();
    const a = new RedisLockoutStore({ client: client(), prefix: 'shared:', clock: clock.now });
    const b = new RedisLockoutStore({ client: client(), prefix: 'shared:', clock: clock.now });
    await Promise.all([a.ready, b.ready]);
    await a.fail('ip=203.0.113.9', clock.now(), policy);
    await b.fail('ip=203.0.113.9', clock.now(), policy);
    assert.equal(await a.fail('ip=203.0.113.9', clock.now(), policy), 2 * MIN, 'the third failure across both instances locks');
    for (let i = 0; i < 200 && b.lockedFor('ip=203.0.113.9', clock.now()) === 0; i++) await sleep(10);
    assert.equal(b.lockedFor('ip=203.0.113.9', clock.now()), 2 * MIN);
    const c = new RedisLockoutStore({ client: client(), prefix: 'shared:', clock: clock.now });
    await c.ready;
    assert.equal(c.lockedFor('ip=203.0.113.9', clock.now()), 2 * MIN, 'a new instance loads the running locks');
    await b.unlock((key) => key === 'ip=203.0.113.9');
    for (let i = 0; i < 200 && a.lockedFor('ip=203.0.113.9', clock.now()) > 0; i++) await sleep(10);
    assert.equal(a.lockedFor('ip=203.0.113.9', clock.now()), 0, 'an unlock reaches the other instances');
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('Redis down: the store says it is unavailable and failures resolve to 0 instead of throwing', async () => {
    const clock = manualClock();
    const own = await startRedisServer();
    const c = new Redis({ path: own.path, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    c.on('error', () => undefined);
    clients.push(c);
    const store = new RedisLockoutStore({ client: c, clock: clock.now });
    await store.ready;
    assert.equal(store.available, true);
    await own.stop();
    for (let i = 0; i < 200 && store.available; i++) await sleep(10);
    assert.equal(store.available, false);
    assert.equal(await store.fail('ip=203.0.113.5', clock.now(), policy), 0);
    await store.close();
  });
});

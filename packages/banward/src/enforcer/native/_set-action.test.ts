import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../log/logger.js';
import type { BanTicket } from '../ban-action.js';
import type { Applied, ElementDiff } from './_elements.js';
import { SetAction } from './_set-action.js';

/** A firewall in memory: the sets it holds, and every diff written to it. */
class MemorySets extends SetAction {
  readonly name = 'memory';
  readonly held: Applied = new Map();
  readonly writes: ElementDiff[] = [];
  constructor(now: () => number) {
    super({ jail: 'test', clock: now, log: createLogger({ level: 'error', write: () => {} }), ipv6prefix: null, maxTimeout: 86_400 * 365 });
  }
  protected async read(): Promise<Applied> { return new Map(this.held); }
  protected async write(diff: ElementDiff): Promise<void> {
    this.writes.push(diff);
    for (const r of diff.remove) this.held.delete(r.key);
    for (const a of diff.add) this.held.set(a.key, { family: a.family, expires: a.expires });
  }
  protected async empty(): Promise<void> { this.held.clear(); }
  protected async remove(): Promise<void> { this.held.clear(); }
  async check(): Promise<boolean> { return true; }
}

const NOW = 1_800_000_000;
const ticket = (ip: string, bantime = 600): BanTicket => ({ jail: 'test', ip, time: NOW, bantime, banCount: 1, failures: 3, matches: [] });
const ip = (i: number) => `10.0.${i >> 8}.${i & 255}`;

test('issue 13: a ban among thousands writes its own element only; an unban removes its own', async () => {
  const sets = new MemorySets(() => NOW);
  await sets.start();
  await sets.ban(Array.from({ length: 2000 }, (_, i) => ticket(ip(i))));
  await sets.ban([ticket('192.0.2.7')]);
  assert.deepEqual(sets.writes.at(-1)?.add.map((a) => a.key), ['192.0.2.7']);
  assert.deepEqual(sets.writes.at(-1)?.remove, []);
  await sets.unban([ticket(ip(5))]);
  assert.deepEqual(sets.writes.at(-1)?.remove, [{ family: 4, key: ip(5) }]);
  assert.equal(sets.held.size, 2000);
  assert.deepEqual(await sets.reconcile([...Array.from({ length: 2000 }, (_, i) => ticket(ip(i))).filter((t) => t.ip !== ip(5)), ticket('192.0.2.7')]), { added: 0, removed: 0 });
});

test('issue 13: a network ban still folds the addresses it covers (the full comparison)', async () => {
  const sets = new MemorySets(() => NOW);
  await sets.start();
  await sets.ban([ticket('10.1.0.1'), ticket('10.1.0.2')]);
  await sets.ban([ticket('10.1.0.0/24', 3600)]);
  assert.deepEqual([...sets.held.keys()], ['10.1.0.0/24']);
  await sets.ban([ticket('10.1.0.9')]);
  assert.deepEqual([...sets.held.keys()], ['10.1.0.0/24'], 'an address inside a banned network adds no element');
});

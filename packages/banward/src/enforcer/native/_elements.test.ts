import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { applyDiff, desiredElements, diffElements, type Applied } from './_elements.js';

const opts = { ipv6prefix: null, maxTimeout: 1_000_000 };

test('elements: a ban inside a banned network is folded into it, which lasts as long as the longest', () => {
  const d = desiredElements([
    { ip: '10.77.0.5', time: 0, bantime: -1 },
    { ip: '10.77.0.0/24', time: 0, bantime: 100 },
    { ip: '10.78.0.1', time: 0, bantime: 100 },
  ], 10, opts);
  assert.deepEqual([...d.values()].map((e) => [e.key, e.expires]), [['10.77.0.0/24', null], ['10.78.0.1', 100]]);
});

test('elements: ipv6prefix bans the network; expired bans and non-addresses are left out; long ones lose their timeout', () => {
  const d = desiredElements([
    { ip: 'fd77::1', time: 0, bantime: 100 },
    { ip: 'fd77::2', time: 0, bantime: 200 },
    { ip: '::ffff:10.77.0.9', time: 0, bantime: 5 },
    { ip: 'example.org', time: 0, bantime: 100 },
    { ip: '10.77.0.10', time: 0, bantime: 10_000_000 },
  ], 10, { ipv6prefix: 64, maxTimeout: 1_000_000 });
  assert.deepEqual([...d.values()].map((e) => [e.key, e.expires]), [['10.77.0.10', null], ['fd77::/64', 200]]);
});

test('elements: the diff re-adds changed timeouts, removes stale ones, and forgets ones timing out', () => {
  const applied: Applied = new Map([
    ['10.77.0.1', { family: 4, expires: 500 }],
    ['10.77.0.2', { family: 4, expires: null }],
    ['10.77.0.3', { family: 4, expires: 100 }],
    ['10.77.0.4', { family: 4, expires: 10 }],
  ]);
  const desired = desiredElements([
    { ip: '10.77.0.1', time: 0, bantime: 502 },
    { ip: '10.77.0.2', time: 0, bantime: 900 },
    { ip: 'fd77::9', time: 0, bantime: -1 },
  ], 10, opts);
  const diff = diffElements(desired, applied, 10);
  assert.deepEqual(diff.remove.map((r) => r.key), ['10.77.0.2', '10.77.0.3']);
  assert.deepEqual(diff.add.map((a) => a.key), ['10.77.0.2', 'fd77::9']);
  assert.deepEqual(diff.forget, ['10.77.0.4']);
  applyDiff(applied, diff);
  assert.deepEqual([...applied.keys()].sort(), ['10.77.0.1', '10.77.0.2', 'fd77::9']);
});

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { FailureCounter } from './failure-counter.js';

const IP = '203.0.113.5';

test('failure counter: counts like fail2ban FailManager (same sequence, same counts)', () => {
  // [time, expected count] — the counts fail2ban 1.0.2's FailManager returns for findtime 600.
  const cases: Array<[number, number]> = [
    [0, 1], [100, 2], [200, 3],
    [700, 4], // span 700 > findtime: 3 rescaled to round(3/700*600) = 3, then +1
    [10000, 1], // long pause: round(4/9900*600) = 0, then +1 — practically a restart
    [10000, 2], [10300, 2], [11000, 2],
  ];
  const counter = new FailureCounter({ findtime: 600, maxmatches: 2 });
  for (const [time, count] of cases) assert.equal(counter.add(IP, time, [`line ${time}`]), count, `t=${time}`);
  assert.deepEqual(counter.get(IP)?.matches, ['line 10300', 'line 11000']);
  assert.equal(counter.get(IP)?.attempts, 8);
  assert.equal(counter.totalFailed, 8);
  assert.equal(counter.currentlyFailed, 1);
});

test('failure counter: window, reset after a ban, cleanup, attempts', () => {
  const counter = new FailureCounter({ findtime: 600 });
  assert.equal(counter.add(IP, 1000, ['a']), 1);
  assert.equal(counter.add(IP, 1100, ['b'], 3), 4);
  counter.reset(IP);
  assert.equal(counter.get(IP), undefined);
  assert.equal(counter.add(IP, 1200, ['c']), 1);
  counter.add('198.51.100.7', 1500, ['d']);
  assert.equal(counter.cleanup(1799), 0);
  assert.equal(counter.cleanup(1800), 1); // last failure exactly findtime ago goes, as in fail2ban
  assert.equal(counter.currentlyFailed, 1);
  assert.equal(counter.cleanup(2100), 1);
  assert.equal(counter.currentlyFailed, 0);
  assert.equal(counter.totalFailed, 4);
});

test('failure counter: maxmatches bounds kept lines; 0 keeps none', () => {
  const cases: Array<[number, string[]]> = [[0, []], [1, ['l3']], [3, ['l1', 'l2', 'l3']], [5, ['l1', 'l2', 'l3']]];
  for (const [maxmatches, kept] of cases) {
    const counter = new FailureCounter({ findtime: 600, maxmatches });
    for (const [i, t] of [1, 2, 3].entries()) counter.add(IP, t, [`l${i + 1}`]);
    assert.deepEqual(counter.get(IP)?.matches, kept, `maxmatches ${maxmatches}`);
  }
});

test('failure counter: cap of 3 ids evicts the least recently updated and counts it', () => {
  const counter = new FailureCounter({ findtime: 600, maxTracked: 3 });
  counter.add('a', 1, ['x']);
  counter.add('b', 2, ['x']);
  counter.add('c', 3, ['x']);
  counter.add('a', 4, ['x']); // refreshes a: b is now the oldest
  counter.add('d', 5, ['x']);
  assert.equal(counter.evicted, 1);
  assert.equal(counter.get('b'), undefined);
  assert.deepEqual(['a', 'c', 'd'].map((id) => counter.get(id)?.count), [2, 1, 1]);
  counter.add('e', 6, ['x']);
  counter.add('f', 7, ['x']);
  assert.equal(counter.evicted, 3);
  assert.equal(counter.currentlyFailed, 3);
  assert.deepEqual(['d', 'e', 'f'].map((id) => counter.get(id) !== undefined), [true, true, true]);
});

test('failure counter: options are checked', () => {
  assert.throws(() => new FailureCounter({ findtime: 0 }), /findtime must be above 0/);
  assert.throws(() => new FailureCounter({ findtime: 600, maxmatches: -1 }), /maxmatches/);
  assert.throws(() => new FailureCounter({ findtime: 600, maxTracked: 0 }), /cap on tracked ids/);
});

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
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

/** The counter as it was before it was packed (a Map of records in update order): the semantics the packed one keeps. */
class ModelCounter {
  readonly entries = new Map<string, { firstTime: number; lastTime: number; count: number; attempts: number; matches: string[] }>();
  total = 0;
  evicted = 0;
  constructor(private readonly findtime: number, private readonly maxmatches: number, private readonly maxTracked: number) {}

  add(id: string, time: number, lines: readonly string[], attempts: number): number {
    this.total++;
    let e = this.entries.get(id);
    if (e) {
      this.entries.delete(id);
      if (time > e.lastTime) {
        if (e.firstTime < time - this.findtime) {
          const x = (e.count / (time - e.firstTime)) * this.findtime;
          const r = Math.round(x);
          e.count = Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
          e.firstTime = time - this.findtime;
        }
        e.lastTime = time;
      }
      e.count += attempts;
      e.attempts += attempts;
    } else {
      while (this.entries.size >= this.maxTracked) {
        this.entries.delete(this.entries.keys().next().value!);
        this.evicted++;
      }
      e = { firstTime: time, lastTime: time, count: attempts, attempts, matches: [] };
    }
    e.matches = [...e.matches, ...lines].slice(Math.max(0, e.matches.length + lines.length - this.maxmatches));
    this.entries.set(id, e);
    return e.count;
  }
}

test('failure counter: the packed counter counts, keeps lines, evicts and cleans up exactly as the Map of records did', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 6 }), dt: fc.integer({ min: -50, max: 900 }), lines: fc.integer({ min: 0, max: 4 }), attempts: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('reset' as const), id: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ kind: fc.constant('cleanup' as const), dt: fc.integer({ min: 0, max: 1200 }) }),
  );
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 700 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 120 }),
    (findtime, maxmatches, maxTracked, ops) => {
      const packed = new FailureCounter({ findtime, maxmatches, maxTracked });
      const model = new ModelCounter(findtime, maxmatches, maxTracked);
      let now = 10_000;
      let n = 0;
      for (const o of ops) {
        if (o.kind === 'add') {
          now += o.dt;
          const lines = Array.from({ length: o.lines }, () => `line ${n++}`);
          assert.equal(packed.add(`id${o.id}`, now, lines, o.attempts), model.add(`id${o.id}`, now, lines, o.attempts));
        } else if (o.kind === 'reset') {
          const kept = model.entries.get(`id${o.id}`)?.matches ?? [];
          model.entries.delete(`id${o.id}`);
          assert.deepEqual(packed.reset(`id${o.id}`), kept);
        } else {
          let removed = 0;
          for (const [id, e] of model.entries) if (e.lastTime <= now + o.dt - findtime && model.entries.delete(id)) removed++;
          assert.equal(packed.cleanup(now + o.dt), removed);
        }
        for (let id = 0; id <= 6; id++) {
          const e = model.entries.get(`id${id}`);
          assert.deepEqual(packed.get(`id${id}`), e && { id: `id${id}`, ...e });
        }
        assert.deepEqual([packed.currentlyFailed, packed.totalFailed, packed.evicted], [model.entries.size, model.total, model.evicted]);
      }
    },
  ), { numRuns: 300 });
});

test('entries: the kept lines grouped by failure with their times, oldest first, within maxmatches', () => {
  const counter = new FailureCounter({ findtime: 600, maxmatches: 3 });
  counter.add('192.0.2.1', 100, ['a']);
  counter.add('192.0.2.1', 110, ['b1', 'b2']);
  counter.add('192.0.2.1', 120, ['c']);
  assert.deepEqual(counter.entries('192.0.2.1'), [{ time: 110, lines: ['b1', 'b2'] }, { time: 120, lines: ['c'] }]);
  assert.deepEqual(counter.entries('192.0.2.9'), []);
});

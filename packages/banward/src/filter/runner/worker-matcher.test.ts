import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createLogger } from '../../log/logger.js';
import type { SourceLine } from '../../source/log-source.js';
import { Filter, type FilterSpec } from '../filter.js';
import { InlineMatcher } from './line-matcher.js';
import { MatchStats } from './match-stats.js';
import { WorkerMatcher, type WorkerMatcherOptions } from './worker-matcher.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000;
/** Backtracks for ever on `1.2.3.4 aaaa…a!` (no V8 fallback in the test process, and the u form never has one). */
const HOSTILE_REGEX = String.raw`^<HOST> (\w+\s?)*$`;
const SPEC: FilterSpec = { failregex: [String.raw`^login failed from <HOST>$`, HOSTILE_REGEX], logtimezone: 'UTC' };
const hostile = (extra = ''): SourceLine => ({ text: `1.2.3.4 ${'a'.repeat(40)}${extra}!`, origin: 'test' });
const failed = (ip: string): SourceLine => ({ text: `login failed from ${ip}`, origin: 'test' });

function matcher(options: Partial<WorkerMatcherOptions> = {}) {
  const logged: string[] = [];
  let now = NOW;
  const m = new WorkerMatcher({
    spec: SPEC,
    // Far below what the hostile line takes, far above an honest line on a loaded machine.
    timeoutMs: 1000,
    clock: () => now,
    log: createLogger({ level: 'info', write: (l) => logged.push(l) }),
    regexes: { datepattern: [], prefregex: [], failregex: [String.raw`^login failed from <HOST>$`, HOSTILE_REGEX], ignoreregex: [] },
    ...options,
  });
  return { m, logged, advance: (seconds: number) => { now += seconds; } };
}

const ids = (found: Awaited<ReturnType<WorkerMatcher['match']>>) => found.map(([i, f]) => [i, f.map((x) => x.id)]);

describe('WorkerMatcher', () => {
  it('finds what the inline filter finds, in order, across batches, with the clock of the main thread', async () => {
    const { m } = matcher({ batchLines: 2 });
    try {
      const lines = [failed('192.0.2.1'), { text: 'noise', origin: 'test' }, failed('192.0.2.2'), failed('192.0.2.3'), failed('192.0.2.4')];
      const inlineMatcher = new InlineMatcher(new Filter({ ...SPEC, now: () => NOW }));
      const inline = inlineMatcher.match(lines);
      const [a, b] = await Promise.all([m.match(lines), m.match(lines.slice(0, 1))]);
      assert.deepEqual(ids(a), ids(inline));
      assert.deepEqual(ids(a), [[0, ['192.0.2.1']], [2, ['192.0.2.2']], [3, ['192.0.2.3']], [4, ['192.0.2.4']]]);
      assert.deepEqual(ids(b), [[0, ['192.0.2.1']]]);
      assert.equal(a[0]![1][0]!.time, NOW, 'an undated line is dated with the now sent with its batch');
      assert.equal(m.abandoned, 0);
      const batches = (stats: MatchStats) => stats.batchSeconds.reduce((sum, n) => sum + n, 0);
      assert.deepEqual([m.stats.lines, m.stats.matched, batches(m.stats)], [6, 5, 4], 'counted once per batch sent to the worker');
      assert.deepEqual([inlineMatcher.stats.lines, inlineMatcher.stats.matched, batches(inlineMatcher.stats)], [5, 4, 1]);
      assert.ok(m.stats.seconds >= 0 && Number.isFinite(m.stats.seconds));
    } finally {
      await m.close();
    }
  });

  it('the filter → jail seam: what crosses back from the worker is the typed Failure the inline filter gives, whole', async () => {
    const { m } = matcher();
    try {
      const lines = [failed('192.0.2.1'), { text: 'login failed from 2001:DB8::1', origin: 'test', time: NOW - 5 }];
      const found = await m.match(lines);
      assert.deepEqual(found, new InlineMatcher(new Filter({ ...SPEC, now: () => NOW })).match(lines));
      assert.deepEqual(found[1]![1], [{ id: '2001:db8::1', idKind: 'ip', time: NOW - 5, lines: ['login failed from 2001:DB8::1'], captures: { ip6: '2001:DB8::1' }, nofail: false }]);
    } finally {
      await m.close();
    }
  });

  it('issue 11 defect 4: a line that backtracks for ever is abandoned, the worker restarted, and the rest of the batch matched', async () => {
    const { m, logged } = matcher();
    try {
      const found = await m.match([failed('192.0.2.1'), hostile(), failed('192.0.2.2'), hostile('é'), failed('192.0.2.3')]);
      assert.deepEqual(ids(found), [[0, ['192.0.2.1']], [2, ['192.0.2.2']], [4, ['192.0.2.3']]]);
      assert.equal(m.abandoned, 2);
      const after = await m.match([failed('192.0.2.9')]);
      assert.deepEqual(ids(after), [[0, ['192.0.2.9']]], 'the restarted worker goes on');
      const warnings = logged.filter((l) => l.includes('abandoned'));
      assert.equal(warnings.length, 1, `logged once a minute: ${warnings.join('\n')}`);
      assert.match(warnings[0]!, /abandoned a line after 1000 ms in failregex 2: \^<HOST> \(\\w\+\\s\?\)\*\$/);
    } finally {
      await m.close();
    }
  });

  it('the abandon message comes again after a minute of the jail\'s clock, with the count of the lines not reported', async () => {
    const { m, logged, advance } = matcher();
    try {
      await m.match([hostile(), hostile()]);
      advance(61);
      await m.match([hostile()]);
      const warnings = logged.filter((l) => l.includes('abandoned'));
      assert.equal(warnings.length, 2);
      assert.match(warnings[1]!, /\(1 more since the last report\)/);
      assert.equal(m.abandoned, 3);
    } finally {
      await m.close();
    }
  });

  it('backpressure: ready() asks the source to wait while the batches in flight reach the limit', async () => {
    const { m } = matcher({ maxInFlight: 2, batchLines: 1 });
    try {
      assert.equal(m.ready(), undefined);
      const first = m.match([failed('192.0.2.1')]);
      assert.equal(m.ready(), undefined, 'one batch in flight is below the limit');
      const second = m.match([hostile(), failed('192.0.2.2')]);
      const wait = m.ready();
      assert.ok(wait instanceof Promise, 'three batches in flight: wait');
      const order: string[] = [];
      await Promise.all([
        first.then(() => order.push('first')),
        second.then(() => order.push('second')),
        wait.then(() => order.push('ready')),
      ]);
      assert.equal(order[0], 'first');
      assert.ok(order.indexOf('ready') < order.indexOf('second'), `ready once below the limit, before the last batch: ${order.join(' ')}`);
      assert.equal(m.ready(), undefined);
    } finally {
      await m.close();
    }
  });
});

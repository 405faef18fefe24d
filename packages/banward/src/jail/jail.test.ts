import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MemoryBanStore } from '../decision/index.js';
import type { BanAction, BanTicket } from '../enforcer/ban-action.js';
import { Filter } from '../filter/filter.js';
import { InlineMatcher, type LineMatcher, type MatchedLines } from '../filter/runner/index.js';
import type { SourceLine } from '../source/log-source.js';
import { createLogger } from '../log/logger.js';
import { BanTimePolicy } from './ban-time-policy.js';
import { FailureCounter } from './failure-counter.js';
import { IgnoreList } from './ignore-list.js';
import { Jail, type JailParts } from './jail.js';

class RecordingAction implements BanAction {
  readonly name = 'recording';
  readonly events: string[] = [];
  async start() {}
  async stop() {}
  async check() { return true; }
  async ban(t: readonly BanTicket[]) { this.events.push(...t.map((x) => `ban ${x.ip} ${x.bantime}`)); }
  async unban(t: readonly BanTicket[]) { this.events.push(...t.map((x) => `unban ${x.ip}`)); }
  async flush() {}
}

function jail(overrides: Partial<JailParts> = {}) {
  let now = Date.UTC(2026, 10, 22, 10, 0, 0) / 1000;
  const clock = () => now;
  const lines: string[] = [];
  const log = createLogger({ level: 'info', write: (l) => lines.push(l) });
  const action = new RecordingAction();
  const store = new MemoryBanStore();
  const j = new Jail({
    name: 'test',
    filter: new Filter({ failregex: ['^\\s*failed from <HOST>$'], now: clock, logtimezone: 'UTC', inOperation: false, findTime: 600 }),
    failures: new FailureCounter({ findtime: 600 }),
    ignore: new IgnoreList({ ignoreip: ['198.51.100.0/24'], ignoreself: false, clock }),
    bantime: new BanTimePolicy({}),
    baseBantime: 600,
    maxretry: 3,
    overallJails: false,
    usedns: 'warn',
    store,
    actions: [action],
    clock,
    log: log.child('test'),
    ...overrides,
  });
  const line = (ip: string) => ({ text: `2026-11-22 10:00:00 failed from ${ip}`, origin: 'test' });
  return { j, store, action, lines, line, advance: (s: number) => { now += s; } };
}

describe('Jail', () => {
  it('bans on the maxretry-th failure, commits before the action, logs like fail2ban', async () => {
    const { j, store, action, lines, line } = jail();
    j.handleLines([line('203.0.113.5'), line('203.0.113.5')]);
    assert.equal(store.activeBans().length, 0);
    j.handleLines([line('203.0.113.5')]);
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.5'], 'committed synchronously, before any action ran');
    await j.settle();
    assert.deepEqual(action.events, ['ban 203.0.113.5 600']);
    assert.ok(lines.some((l) => l.endsWith('[test] Ban 203.0.113.5')));
    assert.ok(lines.some((l) => l.includes('[test] Found 203.0.113.5 - ')));
  });

  it('ignores listed ranges and reports "already banned"', async () => {
    const { j, store, lines, line } = jail();
    j.handleLines([line('198.51.100.7'), line('198.51.100.7'), line('198.51.100.7')]);
    assert.equal(store.activeBans().length, 0);
    assert.ok(lines.some((l) => l.includes('Ignore 198.51.100.7 by ip')));
    assert.equal(await j.ban('203.0.113.9'), true);
    assert.equal(await j.ban('::ffff:203.0.113.9'), false);
    assert.ok(lines.some((l) => l.endsWith('203.0.113.9 already banned')));
  });

  it('usedns: a host name counts against the addresses it resolves to', async () => {
    const { j, store } = jail({ resolve: async (name) => (name === 'bad.example' ? ['203.0.113.77'] : []), maxretry: 1 });
    j.handleLines([{ text: '2026-11-22 10:00:00 failed from bad.example', origin: 'test' }]);
    await j.settle();
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.77']);
  });

  it('reports count like log failures; expired bans are lifted on the injected clock; restore re-applies', async () => {
    const { j, store, action, advance } = jail({ maxretry: 2 });
    await j.report('203.0.113.20', { user: 'bob' });
    await j.report('203.0.113.20');
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.20']);
    advance(599);
    assert.equal(await j.unbanExpired(Date.UTC(2026, 10, 22, 10, 9, 59) / 1000), 0);
    assert.equal(await j.restore(), 1);
    advance(1);
    assert.equal(await j.unbanExpired(Date.UTC(2026, 10, 22, 10, 10, 0) / 1000), 1);
    assert.deepEqual(action.events, ['ban 203.0.113.20 600', 'ban 203.0.113.20 600', 'unban 203.0.113.20']);
    assert.equal(store.activeBans().length, 0);
  });

  it('with a matcher that answers later (a worker), failures are counted in the order of the batches, and a full matcher asks the source to wait', async () => {
    let inline: InlineMatcher | null = null;
    const answers: Array<() => void> = [];
    const slow: LineMatcher = {
      abandoned: 0,
      match: (lines: readonly SourceLine[]) => new Promise<MatchedLines>((resolve) => answers.push(() => resolve(inline!.match(lines)))),
      ready: () => (answers.length >= 2 ? Promise.resolve() : undefined),
      close: async () => {},
    };
    const { j, store, line } = jail({ matcher: slow });
    inline = new InlineMatcher(j.parts.filter!);
    assert.equal(j.handleLines([line('203.0.113.5'), line('203.0.113.5')]), undefined);
    assert.ok(j.handleLines([line('203.0.113.5')]) instanceof Promise, 'two batches in flight: the source waits');
    assert.equal(store.activeBans().length, 0, 'nothing counted before the matcher answers');
    for (const answer of answers) answer();
    await j.drain();
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.5']);
  });
});

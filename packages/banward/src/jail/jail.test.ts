import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MemoryBanStore } from '../decision/index.js';
import type { BanAction, BanTicket } from '../enforcer/ban-action.js';
import type { Failure } from '../filter/failure.js';
import { Filter } from '../filter/filter.js';
import { InlineMatcher, MatchStats, type LineMatcher, type MatchedLines } from '../filter/runner/index.js';
import type { SourceLine } from '../source/log-source.js';
import { createLogger } from '../log/logger.js';
import { BanTimePolicy } from './ban-time-policy.js';
import { FailureCounter } from './failure-counter.js';
import { IgnoreList } from './ignore-list.js';
import { Jail } from './jail.js';
import type { JailEvent } from './jail-events.js';
import type { JailParts } from './jail-parts.js';

class RecordingAction implements BanAction {
  readonly name = 'recording';
  readonly events: string[] = [];
  async start() {}
  async stop() {}
  async check() { return true; }
  /** Calls of ban and unban: a batch is one call. */
  calls = 0;
  async ban(t: readonly BanTicket[]) { this.calls++; this.events.push(...t.map((x) => `ban ${x.ip} ${x.bantime}`)); }
  async unban(t: readonly BanTicket[]) { this.calls++; this.events.push(...t.map((x) => `unban ${x.ip}`)); }
  async flush() {}
}

/** Hands lines over as a source does; these matchers are synchronous, so the jail never asks it to wait. */
function feed(j: Jail, lines: readonly SourceLine[]): void {
  assert.equal(j.handleLines(lines), undefined);
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
    const addBans = store.addBans.bind(store);
    store.addBans = (bans) => { action.events.push(`commit ${bans.map((b) => b.ip).join(' ')}`); addBans(bans); };
    feed(j, [line('203.0.113.5'), line('203.0.113.5')]);
    assert.equal(store.activeBans().length, 0);
    feed(j, [line('203.0.113.5')]);
    await j.counted();
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.5'], 'committed once counted');
    await j.settle();
    assert.deepEqual(action.events, ['commit 203.0.113.5', 'ban 203.0.113.5 600'], 'committed before any action ran');
    assert.ok(lines.some((l) => l.endsWith('[test] Ban 203.0.113.5')));
    assert.ok(lines.some((l) => l.includes('[test] Found 203.0.113.5 - ')));
  });

  it('issue 13: bans found together are committed in one transaction and enforced in one batch per action', async () => {
    const { j, store, action, line } = jail();
    let commits = 0;
    const addBans = store.addBans.bind(store);
    store.addBans = (bans) => { commits++; addBans(bans); };
    const burst = Array.from({ length: 50 }, (_, i) => `203.0.113.${i + 1}`);
    feed(j, burst.flatMap((ip) => [line(ip), line(ip), line(ip)]));
    await j.settle();
    assert.equal(commits, 1);
    assert.equal(store.activeBans().length, 50);
    assert.equal(action.events.length, 50);
    assert.equal(action.calls, 1, 'one ban call for the whole burst');
  });

  it('issue 13: expired bans are lifted in one transaction and one unban batch', async () => {
    const { j, store, action, line, advance } = jail();
    feed(j, ['203.0.113.1', '203.0.113.2'].flatMap((ip) => [line(ip), line(ip), line(ip)]));
    await j.settle();
    advance(601);
    const calls = action.calls;
    assert.equal(await j.unbanExpired(Number.MAX_SAFE_INTEGER), 2);
    assert.equal(store.activeBans().length, 0);
    assert.equal(action.calls - calls, 1, 'one unban call for both');
    assert.deepEqual(action.events.filter((e) => e.startsWith('unban')), ['unban 203.0.113.1', 'unban 203.0.113.2']);
  });

  it('ignores listed ranges and reports "already banned"', async () => {
    const { j, store, lines, line } = jail();
    feed(j, [line('198.51.100.7'), line('198.51.100.7'), line('198.51.100.7')]);
    assert.equal(store.activeBans().length, 0);
    assert.ok(lines.some((l) => l.includes('Ignore 198.51.100.7 by ip')));
    assert.equal(await j.ban('203.0.113.9'), true);
    assert.equal(await j.ban('::ffff:203.0.113.9'), false);
    assert.ok(lines.some((l) => l.endsWith('203.0.113.9 already banned')));
  });

  it('usedns: a host name counts against the addresses it resolves to', async () => {
    const { j, store } = jail({ resolve: async (name) => (name === 'bad.example' ? ['203.0.113.77'] : []), maxretry: 1 });
    feed(j, [{ text: '2026-11-22 10:00:00 failed from bad.example', origin: 'test' }]);
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

  it('issue 11 defect 3: no ban covers an ignoreip range or an own address: set banip of a network, a report, a restore', async () => {
    const { j, store, lines } = jail({
      ignore: new IgnoreList({ ignoreip: ['198.51.100.0/24'], ignoreself: true, selfAddresses: () => ['192.0.2.10'], clock: () => 0 }),
      maxretry: 1,
    });
    for (const target of ['0.0.0.0/1', '128.0.0.0/1', '0.0.0.0/0', '198.51.100.0/23', '198.51.100.7', '192.0.2.0/24', '192.0.2.10', '127.0.0.2', '::/0', '::1']) {
      await assert.rejects(j.ban(target), { code: 'BANWARD_ERR_BAN_REFUSED' }, `${target} refused`);
    }
    assert.equal(await j.ban('203.0.113.0/24'), true, 'a network that overlaps nothing ignored may be banned by hand');
    await j.report('192.0.2.10');
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.0/24']);
    store.addBan({ jail: 'test', ip: '128.0.0.0/1', time: 0, bantime: -1, banCount: 1, matches: [] });
    assert.equal(await j.restore(), 1, 'a stored ban over an ignored range is dropped, not restored');
    assert.ok(lines.some((l) => l.includes('Dropping the stored ban of 128.0.0.0/1')));
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.0/24']);
  });

  it('issue 11 defect 7: countprefix6 counts one /64 as one client and bans the prefix; unban and banOf by an address in it', async () => {
    const { j, store, action } = jail({ countprefix6: 64 });
    for (let i = 1; i <= 3; i++) await j.report(`2001:db8:1:2::${i}`);
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['2001:db8:1:2::/64']);
    assert.equal(j.banOf('2001:db8:1:2::99')?.ip, '2001:db8:1:2::/64');
    assert.equal(j.banOf('2001:db8:1:3::1'), undefined);
    assert.equal(await j.unban('2001:db8:1:2::99'), true);
    assert.deepEqual(action.events, ['ban 2001:db8:1:2::/64 600', 'unban 2001:db8:1:2::/64']);
    for (let i = 1; i <= 3; i++) await j.report(`203.0.113.${i}`);
    assert.equal(store.activeBans().length, 0, 'IPv4 is still counted per address');
  });

  it('issue 11 defect 7: a prefix that holds an ignored address is not banned; the address that tripped it is', async () => {
    const { j, store, lines } = jail({ countprefix6: 64, ignore: new IgnoreList({ ignoreip: ['2001:db8:1:2::1'], ignoreself: false, clock: () => 0 }) });
    for (let i = 2; i <= 4; i++) await j.report(`2001:db8:1:2::${i}`);
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['2001:db8:1:2::4']);
    assert.ok(lines.some((l) => l.includes('Not banning 2001:db8:1:2::/64: it overlaps ignoreip; banning 2001:db8:1:2::4 alone')));
  });

  it('issue 11 defect 6: a live line hours off the clock counts as now and is warned about once per file; a backlog one is dropped', async () => {
    const { j, store, lines } = jail({ filter: new Filter({ failregex: ['^\\s*failed from <HOST>$'], now: () => Date.UTC(2026, 10, 22, 10, 0, 0) / 1000, logtimezone: 'UTC', findTime: 600 }) });
    const old = (ip: string, backlog?: boolean) => ({ text: `2026-11-22 04:00:00 failed from ${ip}`, origin: '/var/log/x.log', ...(backlog ? { backlog } : {}) });
    feed(j, [old('203.0.113.7', true), old('203.0.113.7', true), old('203.0.113.7', true)]);
    assert.equal(j.parts.failures.totalFailed, 0, 'the backlog older than findtime is dropped');
    feed(j, [old('203.0.113.7'), old('203.0.113.7'), old('203.0.113.7')]);
    await j.settle();
    assert.deepEqual(store.activeBans().map((b) => b.ip), ['203.0.113.7']);
    const warnings = lines.filter((l) => l.includes('line times are'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /\[test\] \/var\/log\/x\.log: line times are 6 h 0 min behind the clock; counting them as now \(check the log's time zone \/ logtimezone\)/);
  });

  it('maxmatches: a ban carries the lines of the failures that led to it, oldest first, up to maxmatches (not only the last)', async () => {
    for (const [maxmatches, kept] of [[5, [1, 2, 3]], [2, [2, 3]], [0, []]] as const) {
      const { j, store } = jail({ failures: new FailureCounter({ findtime: 600, maxmatches }) });
      const text = (i: number) => `2026-11-22 10:00:0${i} failed from 203.0.113.5`;
      feed(j, [1, 2, 3].map((i) => ({ text: text(i), origin: 'test' })));
      await j.settle();
      assert.deepEqual(store.activeBans().map((b) => b.matches), [kept.map(text)], `maxmatches ${maxmatches}`);
    }
  });

  it('the filter → jail seam: the jail takes typed Failures from its matcher (a host name resolved, <F-NOFAIL> not counted, captures on the ticket)', async () => {
    const failure = (id: string, idKind: Failure['idKind'], nofail = false): Failure => ({
      id, idKind, time: Date.UTC(2026, 10, 22, 10, 0, 0) / 1000, lines: [`failed ${id}`], captures: { user: 'bob' }, nofail,
    });
    const found: MatchedLines = [[0, [failure('203.0.113.8', 'ip', true), failure('bad.example', 'host'), failure('203.0.113.9', 'ip')]]];
    const matcher: LineMatcher = { abandoned: 0, stats: new MatchStats(), match: () => found, ready: () => undefined, open: () => {}, close: async () => {} };
    const tickets: BanTicket[] = [];
    const action = new RecordingAction();
    action.ban = async (t) => { tickets.push(...t); };
    const { j, store } = jail({ matcher, maxretry: 1, actions: [action], resolve: async (name) => (name === 'bad.example' ? ['203.0.113.77'] : []) });
    feed(j, [{ text: 'any', origin: 'test' }]);
    await j.settle();
    await j.settle(); // the resolved ban's actions were queued behind the lookup
    assert.deepEqual(store.activeBans().map((b) => b.ip).sort(), ['203.0.113.77', '203.0.113.9']);
    assert.deepEqual(tickets.map((t) => [t.ip, t.matches, t.data]).sort(), [
      ['203.0.113.77', ['failed bad.example'], { user: 'bob' }],
      ['203.0.113.9', ['failed 203.0.113.9'], { user: 'bob' }],
    ]);
  });

  it('with a matcher that answers later (a worker), failures are counted in the order of the batches, and a full matcher asks the source to wait', async () => {
    let inline: InlineMatcher | null = null;
    const answers: Array<() => void> = [];
    const slow: LineMatcher = {
      abandoned: 0,
      stats: new MatchStats(),
      match: (lines: readonly SourceLine[]) => new Promise<MatchedLines>((resolve) => answers.push(() => resolve(inline!.match(lines)))),
      ready: () => (answers.length >= 2 ? Promise.resolve() : undefined),
      open: () => {},
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

  it('issue 14: tells its listeners found, ban, unban and action errors, in order; builds no found events while nobody wants them', async () => {
    const events: JailEvent[] = [];
    let active = false;
    const failing = Object.assign(new RecordingAction(), { name: 'broken', ban: () => Promise.reject(new Error('nft said no')) });
    const { j, action, line, advance } = jail({ events: { get wantsFound() { return active; }, emit: (e) => events.push(e) } });
    (j.parts.actions as BanAction[]).push(failing);
    feed(j, [line('203.0.113.9')]);
    assert.equal(events.length, 0);
    active = true;
    feed(j, [line('203.0.113.9'), line('203.0.113.9'), line('198.51.100.7')]);
    await j.settle();
    advance(601);
    await j.unbanExpired(j.parts.clock());
    assert.deepEqual(events.map((e) => `${e.type} ${'ip' in e ? e.ip : ''}`), [
      'found 203.0.113.9', 'found 203.0.113.9', 'ban 203.0.113.9', 'action-error ', 'unban 203.0.113.9',
    ]);
    const [found, , ban, error, unban] = events;
    assert.deepEqual(found, { type: 'found', jail: 'test', ip: '203.0.113.9', time: Date.UTC(2026, 10, 22, 10, 0, 0) / 1000, lines: ['2026-11-22 10:00:00 failed from 203.0.113.9'] });
    assert.equal(ban?.type === 'ban' && ban.failures, 3);
    assert.ok(error?.type === 'action-error' && error.action === 'broken' && error.operation === 'ban' && error.message === 'nft said no');
    assert.equal(unban?.type === 'unban' && unban.reason, 'expired');
    assert.deepEqual(action.events, ['ban 203.0.113.9 600', 'unban 203.0.113.9']);
    assert.deepEqual(j.actionRunCounts().map((c) => `${c.action} ${c.operation} ${c.runs}/${c.failures}`).sort(), [
      `${action.name} ban 1/0`, `${action.name} unban 1/0`, 'broken ban 1/1', 'broken unban 1/0',
    ].sort(), 'the metrics\' counts: one run per batch, failures apart');
    assert.equal(j.ignoredFailures, 1, '198.51.100.7 is in ignoreip');
  });
  it('issue 15: a fleet ban keeps the remote node\'s times, ban count and origin, in the store and in its events; a lift names who lifted it', async () => {
    const events: JailEvent[] = [];
    const { j, store, action } = jail({ events: { wantsFound: false, emit: (e) => events.push(e) } });
    const given = { time: 1_700_000_000, bantime: 86_400, banCount: 4, origin: 'web-2' };
    assert.equal(await j.ban('203.0.113.40', { given }), true);
    assert.equal(await j.ban('203.0.113.40', { given }), false, 'already banned');
    assert.deepEqual(store.getBan('test', '203.0.113.40'), { jail: 'test', ip: '203.0.113.40', time: 1_700_000_000, bantime: 86_400, banCount: 4, matches: [], origin: 'web-2' });
    await assert.rejects(j.ban('198.51.100.3', { given }), /it overlaps ignoreip/, 'the node\'s own ignore list still rules');
    assert.equal(await j.unban('203.0.113.40', 'web-3'), true);
    assert.deepEqual(events.map((e) => [e.type, 'origin' in e ? e.origin : undefined]), [['ban', 'web-2'], ['unban', 'web-3']]);
    assert.deepEqual(action.events, ['ban 203.0.113.40 86400', 'unban 203.0.113.40']);
  });
  it('bantime.increment: the bans of one batch each read their own count, across jails with overalljails, in one query', () => {
    const bantime = new BanTimePolicy({ increment: true, multipliers: [1, 2, 4], overalljails: true });
    const { j, store, action, line } = jail({ bantime, overallJails: true });
    store.addHistory([
      { jail: 'other', ip: '203.0.113.1', time: 100, bantime: 600, banCount: 1, matches: [] },
      { jail: 'test', ip: '203.0.113.1', time: 200, bantime: 1200, banCount: 2, matches: [] },
      { jail: 'other', ip: '203.0.113.2', time: 300, bantime: 600, banCount: 1, matches: [] },
    ]);
    let asked = 0;
    const banCounts = store.banCounts.bind(store);
    store.banCounts = (ips, jailName) => { asked++; return banCounts(ips, jailName); };
    const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
    feed(j, ips.flatMap((ip) => [line(ip), line(ip), line(ip)]));
    return j.settle().then(() => {
      assert.equal(asked, 1, 'one query for the batch');
      assert.deepEqual(ips.map((ip) => [store.getBan('test', ip)?.banCount, store.getBan('test', ip)?.bantime]), [[3, 2400], [2, 1200], [1, 600]]);
      assert.deepEqual(action.events, ['ban 203.0.113.1 2400', 'ban 203.0.113.2 1200', 'ban 203.0.113.3 600']);
    });
  });
});

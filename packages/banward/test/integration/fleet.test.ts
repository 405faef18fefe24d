import { strict as assert } from 'node:assert';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FleetStatus } from '../../src/fleet/index.js';
import type { JailStatus } from '../../src/control/index.js';
import { client, clientJson, failureLine, waitFor } from './_daemon.js';
import { makeFleet, type Fleet, type FleetMember } from './_fleet.js';
import { dbBans, nftSet } from './_firewall-state.js';

/**
 * Issue 15: three real daemons, each in its own network namespace with its own nftables, sharing bans
 * and failure counts through a real redis-server in a namespace of its own. Every scenario reads the
 * firewall of all three nodes, not only their databases.
 */
const JAILS = `[DEFAULT]
bantime = 1h
findtime = 10m
backend = auto
action = nftables[port=8080, protocol=tcp]

[test]
enabled = true
filter = test
logpath = $DIR/app.log
maxretry = 3
ignoreip = 203.0.113.99

[shared]
enabled = true
filter = test
logpath = $DIR/shared.log
maxretry = 5
fleet.count = shared
`;

const range = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}.${(i >> 8) & 255}.${i & 255}`);

describe('a fleet of three banward nodes sharing bans through Redis (issue 15)', { timeout: 600_000 }, () => {
  let fleet: Fleet;
  let a: FleetMember;
  let b: FleetMember;
  let c: FleetMember;
  const sets = (set = 'test-v4') => fleet.members.map((m) => nftSet(m.ns, set));
  const onEvery = (ips: readonly string[], set = 'test-v4', members = fleet.members) => waitFor(`${ips.length} address(es) in ${set} of ${members.map((m) => m.name).join(', ')}`,
    () => members.every((m) => { const s = nftSet(m.ns, set); return ips.every((x) => s.has(x)); }), 60_000);
  const offEvery = (ips: readonly string[], set = 'test-v4', members = fleet.members) => waitFor(`${ips.length} address(es) gone from ${set} of ${members.map((m) => m.name).join(', ')}`,
    () => members.every((m) => { const s = nftSet(m.ns, set); return ips.every((x) => !s.has(x)); }), 60_000);
  const status = (m: FleetMember) => clientJson<FleetStatus>(m.daemon, 'fleet');
  const jail = (m: FleetMember, name = 'test') => clientJson<JailStatus>(m.daemon, 'status', name);
  const fail = (m: FleetMember, ip: string, times: number, log = 'app.log') => appendFileSync(join(m.daemon.dir, log), failureLine(ip).repeat(times));
  /** The stream's messages of one address, as the fleet holds them. */
  const streamMessages = (ip: string) => fleet.redis(['--raw', 'XRANGE', 'banward:decisions', '-', '+']).split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { ip?: string; type?: string }];
      } catch {
        return [];
      }
    }).filter((m) => m.ip === ip);

  before(async () => {
    fleet = makeFleet(JAILS);
    [a, b, c] = fleet.members as [FleetMember, FleetMember, FleetMember];
    for (const m of fleet.members) writeFileSync(join(m.daemon.dir, 'shared.log'), '');
    await fleet.startRedis();
    for (const m of fleet.members) await fleet.startNode(m);
    await waitFor('every node connected and seen by the others', () => fleet.members.every((m) => { const s = status(m); return s.connected && s.nodes.length === 3; }), 30_000);
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('(a) a burst of 200 offenders on node A is in the nft sets of B and C, each ban with A as its origin', async () => {
    const offenders = range('198.18', 200);
    appendFileSync(a.daemon.log, offenders.map((x) => failureLine(x).repeat(3)).join(''));
    await onEvery(offenders);
    const origins = jail(b).actions.origins ?? {};
    assert.ok(offenders.every((x) => origins[x] === 'node-1'), 'B says where each ban came from');
    assert.equal(jail(a).actions.origins?.[offenders[0]!], undefined, 'A made them: no origin');
    const withTime = clientJson<Array<{ ip: string; origin?: string }>>(c.daemon, 'get', 'test', 'banip', '--with-time');
    assert.equal(withTime.find((x) => x.ip === offenders[0])?.origin, 'node-1');
    assert.match(client(b.daemon, 'status', 'test').stdout, /Fleet bans \(ip@node\):.*198\.18\.0\.0@node-1/);
    assert.equal(streamMessages(offenders[0]!).length, 1, 'B and C did not publish what they applied');
  });

  it('(b) shared counting: 2 failures on each of three nodes with maxretry 5 bans on all three', async () => {
    const attacker = '198.19.0.1';
    fail(a, attacker, 2, 'shared.log');
    fail(b, attacker, 2, 'shared.log');
    await waitFor('4 failures in the fleet window', () => fleet.redis(['ZCARD', `banward:fail:shared:${attacker}`]).trim() === '4');
    assert.deepEqual(sets('shared-v4').map((s) => s.has(attacker)), [false, false, false], 'four failures are not five');
    fail(c, attacker, 2, 'shared.log');
    await onEvery([attacker], 'shared-v4');
    assert.equal(jail(a, 'shared').actions.origins?.[attacker], 'node-3', 'C saw the fifth failure and banned');
  });

  it('(c) an unban on C lifts the ban on A, B and C', async () => {
    const ip = '198.18.0.7';
    assert.equal(client(c.daemon, 'unban', ip).stdout, '1\n');
    await offEvery([ip]);
    assert.ok(sets().every((s) => s.has('198.18.0.8')), 'the others stay banned');
  });

  it('(d) Redis killed mid-run: A bans meanwhile (a shared-counting jail counting alone), Redis back: B and C get them once; a ban lifted on A meanwhile is not resurrected', async () => {
    const before = ['198.20.1.1'];
    assert.equal(client(a.daemon, 'set', 'test', 'banip', ...before).code, 0);
    await onEvery(before);
    await fleet.killRedis();
    await waitFor('A to notice', () => !status(a).connected, 30_000);
    const during = range('198.20', 5);
    assert.equal(client(a.daemon, 'set', 'test', 'banip', ...during, '198.20.2.1').code, 0);
    assert.equal(client(a.daemon, 'set', 'test', 'unbanip', '198.20.2.1', ...before).code, 0);
    assert.equal(status(a).queue, 8, 'A queued its 6 bans and 2 unbans');
    assert.ok(sets().slice(1).every((s) => during.every((x) => !s.has(x))), 'B and C cannot know yet');
    fail(a, '198.20.3.1', 5, 'shared.log');
    await waitFor('A to count a shared jail alone and ban', () => nftSet(a.ns, 'shared-v4').has('198.20.3.1'));
    await fleet.startRedis();
    await onEvery(during);
    await onEvery(['198.20.3.1'], 'shared-v4');
    await offEvery([...before, '198.20.2.1']);
    await waitFor('A\'s outbox flushed', () => status(a).queue === 0);
    for (const x of during) assert.equal(streamMessages(x).length, 1, `${x} published once`);
    assert.equal(streamMessages('198.20.2.1').filter((m) => m.type === 'ban').length, 0, 'a ban lifted before it was sent is not sent');
  });

  it('(e) a node partitioned from Redis works alone, then catches up both ways when healed', async () => {
    await waitFor('C connected', () => status(c).connected, 30_000);
    fleet.partition(c);
    await waitFor('C to notice the partition', () => !status(c).connected, 60_000);
    fail(c, '198.21.0.1', 3);
    assert.equal(client(a.daemon, 'set', 'test', 'banip', '198.21.0.2').code, 0);
    await waitFor('C\'s own ban', () => nftSet(c.ns, 'test-v4').has('198.21.0.1'));
    await onEvery(['198.21.0.2'], 'test-v4', [a, b]);
    assert.equal(nftSet(c.ns, 'test-v4').has('198.21.0.2'), false, 'C cannot hear A');
    assert.equal(nftSet(a.ns, 'test-v4').has('198.21.0.1'), false, 'A cannot hear C');
    fleet.heal(c);
    await onEvery(['198.21.0.1', '198.21.0.2']);
    await waitFor('C\'s outbox flushed', () => status(c).queue === 0);
  });

  it('(f) a node restarted gets every active fleet ban at start: from its last id, from the active set when that id was trimmed away, and with no state at all', async () => {
    await fleet.stopNode(b);
    assert.equal(client(a.daemon, 'set', 'test', 'banip', '198.22.0.1', '198.22.0.2').code, 0);
    assert.equal(client(c.daemon, 'set', 'test', 'banip', '198.22.0.3').code, 0);
    assert.equal(client(a.daemon, 'unban', '198.18.0.9').stdout, '1\n');
    await fleet.startNode(b);
    await onEvery(['198.22.0.1', '198.22.0.2', '198.22.0.3'], 'test-v4', [b]);
    await offEvery(['198.18.0.9'], 'test-v4', [b]);

    // Its last id trimmed away while it was down: it resynchronises from the active set, and lifts the
    // fleet ban whose unban it can no longer read.
    await fleet.stopNode(b);
    assert.equal(client(a.daemon, 'set', 'test', 'banip', '198.22.1.1').code, 0);
    assert.equal(client(a.daemon, 'unban', '198.18.0.10').stdout, '1\n');
    await waitFor('A\'s outbox flushed', () => status(a).queue === 0);
    fleet.redis(['XTRIM', 'banward:decisions', 'MAXLEN', '0']);
    assert.ok(dbBans(b.daemon).ips.has('198.18.0.10'), 'B\'s database still holds it from before');
    await fleet.startNode(b);
    await onEvery(['198.22.1.1'], 'test-v4', [b]);
    await offEvery(['198.18.0.10'], 'test-v4', [b]);
    assert.match(b.daemon.output.join(''), /resynchronised from the active set/);

    // A node joining with no state: its last id is gone, it resynchronises from the active set.
    await fleet.stopNode(b);
    rmSync(b.daemon.state, { recursive: true, force: true });
    writeFileSync(b.daemon.log, '');
    writeFileSync(join(b.daemon.dir, 'shared.log'), '');
    await fleet.startNode(b);
    const active = new Set(clientJson<string[]>(a.daemon, 'get', 'test', 'banip'));
    await waitFor('B to hold every ban A holds', () => { const s = nftSet(b.ns, 'test-v4'); return [...active].every((x) => s.has(x)); }, 60_000);
    assert.equal(nftSet(b.ns, 'test-v4').has('198.18.0.9'), false, 'a lifted ban is not in the active set');
    assert.ok(nftSet(b.ns, 'shared-v4').has('198.19.0.1'), 'nor is one of another jail lost');
  });

  it('(g) hostile messages written straight into the stream are dropped or refused and counted; every daemon keeps running', async () => {
    const ban = (ip: string, jailName = 'test') => JSON.stringify({
      v: 1, id: `hostile-${ip.replace(/[^0-9]/g, '')}-${jailName}`, node: 'intruder', type: 'ban', jail: jailName, ip,
      time: Math.floor(Date.now() / 1000), end: Math.floor(Date.now() / 1000) + 600, bantime: 600, banCount: 1,
    });
    const before = fleet.members.map(status);
    fleet.redis(['XADD', 'banward:decisions', '*', 'msg', '{"v":1,"garbage']);
    fleet.redis(['XADD', 'banward:decisions', '*', 'msg'], 'x'.repeat(1024 * 1024));
    fleet.redis(['XADD', 'banward:decisions', '*', 'msg', ban('198.23.0.5', 'nosuchjail')]);
    fleet.redis(['XADD', 'banward:decisions', '*', 'msg', ban('0.0.0.0/0')]);
    fleet.redis(['XADD', 'banward:decisions', '*', 'msg', ban(b.address)]);
    fleet.redis(['XADD', 'banward:decisions', '*', 'other', 'field']);
    fleet.redis(['XADD', 'banward:decisions', '*', 'msg', ban('198.23.0.1')]);
    await onEvery(['198.23.0.1']);
    const after = fleet.members.map(status);
    after.forEach((s, i) => {
      const was = before[i]!;
      assert.equal(s.dropped.malformed - was.dropped.malformed, 2, `${s.node}: garbage JSON and no msg field`);
      assert.equal(s.dropped.oversized - was.dropped.oversized, 1, `${s.node}: the 1 MiB message`);
      assert.equal(s.dropped['unknown-jail'] - was.dropped['unknown-jail'], 1, `${s.node}: the unknown jail`);
      assert.equal(s.dropped['bad-address'] - was.dropped['bad-address'], 1, `${s.node}: 0.0.0.0/0`);
    });
    assert.equal(after[1]!.refused - before[1]!.refused, 1, 'B refused the ban of its own address');
    assert.equal(jail(b).actions.fleetRefused, 1, 'and its status says so');
    assert.equal(nftSet(b.ns, 'test-v4').has(b.address), false, 'B never bans its own address');
    assert.ok(sets().every((s) => !s.has('0.0.0.0') && !s.has('198.23.0.5')));
    for (const m of fleet.members) assert.equal(client(m.daemon, 'ping').code, 0, `${m.name} keeps running`);
    assert.match(client(a.daemon, 'fleet').stdout, /Dropped:\s.*oversized 1/);
  });
});

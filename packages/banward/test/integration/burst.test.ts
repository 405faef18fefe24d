/**
 * Issue 13: a distributed attack against a real daemon with the native nftables action in a network
 * namespace of the test's own. 10,000 offenders × maxretry in one append: every offender is banned once,
 * in the database and in the firewall, status counts them exactly, and `ping`, `status` and an app
 * report sent at the append are answered before the burst is through. Then a second burst is cut by a
 * SIGKILL: the restart restores every committed ban into nftables. (Failure counts live in memory, as in
 * fail2ban: an address the kill caught with two of its three lines counted is not banned by the third.)
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, writeFileSync } from 'node:fs';
import { after, it } from 'node:test';
import { sendRequest } from '../../src/control/control-client.js';
import { failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';
import { dbBans, nftSet } from './_firewall-state.js';
import { makeNetPair, type NetPair } from './_netns.js';

const N = 10_000;
const address = (i: number) => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const burst = (from: number, n: number) => {
  let text = '';
  for (let r = 0; r < 3; r++) for (let i = from; i < from + n; i++) text += failureLine(address(i));
  return text;
};

let h: DaemonHarness | undefined;
let net: NetPair | undefined;
after(async () => {
  if (h) await stopDaemon(h);
  net?.destroy();
});

interface Status { filter: { totalFailed: number; currentlyFailed: number }; actions: { currentlyBanned: number; totalBanned: number } }

it('issue 13: 10,000 offenders in one append are each banned once, in the database and in nftables, and the daemon answers meanwhile', async () => {
  net = makeNetPair();
  h = makeDaemonDirs(`[DEFAULT]\nbantime = 1h\nfindtime = 1h\n\n[test]\nenabled = true\nfilter = test\nlogpath = $DIR/app.log\nmaxretry = 3\naction = nftables[port=8080, protocol=tcp]\n\n[web]\nenabled = true\nfilter =\naction = log[path=$DIR/web.log]\n`);
  writeFileSync(h.log, '');
  await startDaemon(h, [], net.server);
  const answered: Record<string, number> = {};
  const ask = (name: string, command: string, args: string[], socket = h!.socket) =>
    sendRequest(socket, command, args).then(() => { answered[name] = performance.now(); });
  appendFileSync(h.log, burst(0, N));
  const replies = Promise.all([ask('ping', 'ping', []), ask('status', 'status', ['test']), ask('report', 'report', ['web', '192.0.2.200'], h.appSocket)]);
  await waitFor('every offender in nftables', () => nftSet(net!.server).size >= N, 120_000);
  const through = performance.now();
  await replies;
  for (const [name, at] of Object.entries(answered)) assert.ok(at < through, `${name} was answered before the burst was through`);

  const status = await sendRequest(h.socket, 'status', ['test']) as Status;
  assert.equal(status.filter.totalFailed, 3 * N);
  assert.equal(status.actions.currentlyBanned, N);
  assert.equal(status.actions.totalBanned, N);
  const expected = new Set(Array.from({ length: N }, (_, i) => address(i)));
  assert.deepEqual(dbBans(h).ips, expected);
  assert.deepEqual(nftSet(net.server), expected);
  const banLines = h.output.join('').match(/\] Ban \S+/g) ?? [];
  assert.equal(new Set(banLines).size, banLines.length, 'no offender banned twice');
});

it('issue 13: a SIGKILL in the middle of a burst loses no committed ban; the restart restores them all to nftables', async () => {
  assert.ok(h && net);
  appendFileSync(h.log, burst(N, N));
  await waitFor('part of the second burst banned', () => dbBans(h!).ips.size > N, 60_000);
  h.process!.kill('SIGKILL');
  await new Promise((r) => h!.process!.once('exit', r));
  const committed = dbBans(h).ips;
  assert.equal(dbBans(h).integrity, 'ok');
  await startDaemon(h, [], net.server);
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
  const held = await waitFor('nftables to equal the database, every committed ban in it', () => {
    const set = nftSet(net!.server);
    return [...committed].every((ip) => set.has(ip)) && same(set, dbBans(h!).ips) && set;
  }, 120_000);
  assert.ok(held.size > N && held.size <= 2 * N);
});

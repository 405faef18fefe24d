import { strict as assert } from 'node:assert';
import { appendFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { after, describe, it } from 'node:test';
import {
  bannedIps, client, clientJson, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor, type DaemonHarness,
} from './_daemon.js';

/** `sshd` reads a log file (filter `test`); `web-login` is report-only; `app-file` reads a file and opts in to app reports. */
const JAIL = `[DEFAULT]
ignoreip = 198.51.100.0/24
maxretry = 3
findtime = 10m
bantime = 2h
action = log[path=$DIR/actions.log]

[sshd]
enabled = true
filter = test
logpath = $DIR/app.log

[app-file]
enabled = true
filter = test
logpath = $DIR/other.log
appreports = true

[web-login]
enabled = true
filter =
logpath =
`;

const running: DaemonHarness[] = [];
after(async () => {
  for (const h of running) await stopDaemon(h);
});

async function daemon(before?: (h: DaemonHarness) => void): Promise<DaemonHarness> {
  const h = makeDaemonDirs(JAIL);
  writeFileSync(h.log, '');
  writeFileSync(`${h.dir}/other.log`, '');
  before?.(h);
  running.push(h);
  await startDaemon(h);
  return h;
}

const app = (h: DaemonHarness): DaemonHarness => ({ ...h, socket: h.appSocket });
const everyBan = (h: DaemonHarness) => clientJson<Array<{ ip: string; jails: string[] }>>(h, 'banned');

describe('banward server: who may be banned, and by whom', () => {
  it('issue 11 defect 3: report of 0.0.0.0/1 and 128.0.0.0/1 (x3 each) on the app socket is refused and bans nothing', async () => {
    const h = await daemon();
    for (const target of ['0.0.0.0/1', '128.0.0.0/1', '203.0.113.5/32', 'example.com', '']) {
      for (let i = 0; i < 3; i++) {
        const r = client(app(h), 'report', 'web-login', target);
        assert.equal(r.code, 2, `report ${target} refused`);
        assert.match(r.stderr, /report takes one IPv4 or IPv6 host address.*BANWARD_ERR_COMMAND/s);
      }
    }
    assert.deepEqual(everyBan(h), []);
    const ok = clientJson<{ accepted: boolean; ban: null }>(app(h), 'report', 'web-login', '2001:DB8:0:0::5');
    assert.deepEqual(ok, { accepted: true, ban: null }, 'a host address in any spelling is taken');
  });

  it('issue 11 defect 3: the app socket may not report into a jail that reads logs (sshd); the admin socket may; appreports opts in', async () => {
    const h = await daemon();
    for (let i = 0; i < 3; i++) {
      const r = client(app(h), 'report', 'sshd', '203.0.113.10');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /jail 'sshd' reads its own logs and does not take reports from apps.*BANWARD_ERR_NOT_PERMITTED/s);
    }
    assert.deepEqual(clientJson<{ filter: { totalFailed: number } }>(h, 'status', 'sshd').filter.totalFailed, 0, 'nothing was counted');
    for (let i = 0; i < 3; i++) assert.equal(client(h, 'report', 'sshd', '203.0.113.10').code, 0);
    assert.deepEqual(bannedIps(h, 'sshd'), ['203.0.113.10'], 'the admin socket reports anywhere');
    for (let i = 0; i < 3; i++) assert.equal(client(app(h), 'report', 'app-file', '203.0.113.11').code, 0);
    assert.deepEqual(bannedIps(h, 'app-file'), ['203.0.113.11']);
  });

  it('issue 11 defect 3: set banip of a range containing an ignoreip, or an own address, is refused; a harmless range is banned', async () => {
    const h = await daemon();
    for (const target of ['198.51.100.0/23', '198.51.100.7', '0.0.0.0/1', '0.0.0.0/0', '127.0.0.2', '::/1', '::1']) {
      const r = client(h, 'set', 'web-login', 'banip', target);
      assert.equal(r.code, 2, `banip ${target} refused`);
      assert.match(r.stderr, /never banned.*BANWARD_ERR_BAN_REFUSED/s);
    }
    const mixed = client(h, 'set', 'web-login', 'banip', '203.0.113.77', '198.51.100.0/24');
    assert.equal(mixed.code, 2, 'one refused target refuses the command');
    assert.deepEqual(everyBan(h), [], 'and nothing of it was banned');
    assert.equal(client(h, 'set', 'web-login', 'banip', '203.0.113.0/24').code, 0);
    assert.deepEqual(clientJson(h, 'banned', '203.0.113.9'), [{ ip: '203.0.113.0/24', jails: ['web-login'] }], 'banned ADDR finds the range it lies in');
  });

  it('issue 11 defect 3: the host\'s own addresses (ignoreself) are never banned, from a report or from the log', async () => {
    const own = Object.values(networkInterfaces()).flatMap((l) => l ?? []).map((i) => i.address.replace(/%.*/, ''));
    const h = await daemon();
    const targets = [...new Set(['127.0.0.1', '::1', ...own])];
    for (const ip of targets) {
      for (let i = 0; i < 3; i++) assert.equal(client(h, 'report', 'web-login', ip).code, 0);
      appendFileSync(h.log, failureLine(ip).repeat(3));
    }
    appendFileSync(h.log, failureLine('203.0.113.20').repeat(3));
    await waitFor('the other address banned (the log was read)', () => bannedIps(h, 'sshd').includes('203.0.113.20'));
    assert.deepEqual(everyBan(h), [{ ip: '203.0.113.20', jails: ['sshd'] }]);
    await waitFor('the ignoreself log line', () => /\[web-login\] Ignore 127\.0\.0\.1 by ignoreself rule/.test(h.output.join('')));
  });

  it('issue 11 defect 6: a live line 6 hours behind the clock counts and bans, with one warning; such a backlog is dropped', async () => {
    const sixHoursAgo = () => new Date(Date.now() - 6 * 3600_000);
    const h = await daemon((d) => writeFileSync(d.log, failureLine('203.0.113.30', sixHoursAgo()).repeat(3)));
    appendFileSync(h.log, failureLine('203.0.113.31', sixHoursAgo()).repeat(3));
    await waitFor('the ban of the live lines', () => bannedIps(h, 'sshd').includes('203.0.113.31'));
    appendFileSync(h.log, failureLine('203.0.113.32', sixHoursAgo()).repeat(3));
    await waitFor('the second ban', () => bannedIps(h, 'sshd').includes('203.0.113.32'));
    assert.deepEqual(bannedIps(h, 'sshd').sort(), ['203.0.113.31', '203.0.113.32'], 'the backlog older than findtime was dropped');
    await waitFor('the log lines of the second ban', () => h.output.join('').includes('[sshd] Ban 203.0.113.32'));
    const warnings = h.output.join('').split('\n').filter((l) => l.includes('line times are'));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.ok(warnings[0]!.includes(`[sshd] ${h.log}: line times are 6 h 0 min behind the clock; counting them as now (check the log's time zone / logtimezone)`), warnings[0]);
  });

  it('issue 11 defect 7: countprefix6 = 64: eight addresses of one /64 ban the /64; report, banned and unban answer for an address in it', async () => {
    const h = makeDaemonDirs(JAIL.replace('[web-login]\n', '[web-login]\ncountprefix6 = 64\nmaxretry = 8\n'));
    writeFileSync(h.log, '');
    running.push(h);
    await startDaemon(h);
    let reply: { accepted: boolean; ban: { ip: string } | null } = { accepted: false, ban: null };
    for (let i = 1; i <= 8; i++) reply = clientJson(app(h), 'report', 'web-login', `2001:db8:1:2::${i}`);
    assert.equal(reply.ban?.ip, '2001:db8:1:2::/64');
    assert.equal(clientJson<{ ban: { ip: string } }>(app(h), 'report', 'web-login', '2001:db8:1:2::9').ban.ip, '2001:db8:1:2::/64',
      'a 9th address of the /64 is told it is banned');
    assert.deepEqual(clientJson(app(h), 'banned', '2001:db8:1:2::abcd'), [{ ip: '2001:db8:1:2::/64', jails: ['web-login'] }]);
    assert.deepEqual(clientJson(app(h), 'banned', '2001:db8:1:3::1'), []);
    assert.deepEqual(clientJson(h, 'unban', '2001:db8:1:2::abcd'), { unbanned: 1 });
    assert.deepEqual(everyBan(h), []);
  });
});

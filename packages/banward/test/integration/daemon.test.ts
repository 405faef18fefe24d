import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  bannedIps, client, clientJson, failureLine, makeDaemonDirs, readText, startDaemon, stopDaemon, waitFor,
  type DaemonHarness,
} from './_daemon.js';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { SqliteBanStore } from '../../src/decision/index.js';

const JAIL = `[DEFAULT]
bantime = 1h
findtime = 10m
maxretry = 3
backend = auto
action = log[path=$DIR/actions.log]

[test]
enabled = true
filter = test
logpath = $DIR/app.log
ignoreip = 127.0.0.1/8 198.51.100.0/24
`;

const running: DaemonHarness[] = [];
after(async () => {
  for (const h of running) await stopDaemon(h);
});

async function daemon(jailConf = JAIL, filters: Record<string, string> = {}): Promise<DaemonHarness> {
  const h = makeDaemonDirs(jailConf, filters);
  writeFileSync(h.log, '');
  running.push(h);
  await startDaemon(h);
  return h;
}

function fail(h: DaemonHarness, ip: string, times = 1): void {
  for (let i = 0; i < times; i++) appendFileSync(h.log, failureLine(ip));
}

describe('banward server', () => {
  it('bans after maxretry failures, logs it like fail2ban, and the ban is enforced by the action', async () => {
    const h = await daemon();
    fail(h, '203.0.113.5', 2);
    await waitFor('two failures counted', () => clientJson<{ filter: { totalFailed: number } }>(h, 'status', 'test').filter.totalFailed === 2);
    assert.deepEqual(bannedIps(h), []);
    fail(h, '203.0.113.5');
    await waitFor('the ban', () => bannedIps(h).includes('203.0.113.5'));
    await waitFor('the action', () => readText(h.actions).includes('ban jail=test ip=203.0.113.5'));
    await waitFor('fail2ban-style log lines', () => /\[test\] Found 203\.0\.113\.5/.test(h.output.join('')) && /\[test\] Ban 203\.0\.113\.5/.test(h.output.join('')));
    const status = client(h, 'status', 'test');
    assert.match(status.stdout, /Currently banned:\t1/);
    assert.match(status.stdout, /Banned IP list:\t203\.0\.113\.5/);
  });

  it('never bans an address on the ignore list (CIDR)', async () => {
    const h = await daemon();
    fail(h, '198.51.100.77', 4);
    fail(h, '203.0.113.9', 3);
    await waitFor('the other ban', () => bannedIps(h).includes('203.0.113.9'));
    assert.ok(!bannedIps(h).includes('198.51.100.77'));
    await waitFor('the ignore logged', () => /Ignore 198\.51\.100\.77/.test(h.output.join('')));
  });

  it('failures older than findtime in the backlog (the log as it was at start) do not count', async () => {
    const h = makeDaemonDirs(JAIL);
    running.push(h);
    writeFileSync(h.log, failureLine('203.0.113.20', new Date(Date.now() - 20 * 60 * 1000)).repeat(5));
    await startDaemon(h);
    fail(h, '203.0.113.20', 2);
    await waitFor('the new failures', () => clientJson<{ filter: { totalFailed: number } }>(h, 'status', 'test').filter.totalFailed >= 2);
    assert.deepEqual(bannedIps(h), []);
  });

  it('set banip / unbanip / unban, and the client\'s --json and fail2ban-style output', async () => {
    const h = await daemon();
    assert.equal(client(h, 'set', 'test', 'banip', '203.0.113.30', '203.0.113.31').code, 0);
    assert.deepEqual(bannedIps(h).sort(), ['203.0.113.30', '203.0.113.31']);
    assert.deepEqual(clientJson(h, 'banned', '203.0.113.30'), [{ ip: '203.0.113.30', jails: ['test'] }]);
    assert.equal(client(h, 'set', 'test', 'unbanip', '203.0.113.30').code, 0);
    assert.equal(client(h, 'unban', '--all').stdout.trim(), '1');
    assert.deepEqual(bannedIps(h), []);
    await waitFor('unban actions', () => readText(h.actions).includes('unban jail=test ip=203.0.113.31'));
    const withTime = clientJson<unknown[]>(h, 'get', 'test', 'banip', '--with-time');
    assert.deepEqual(withTime, []);
    assert.equal(client(h, 'get', 'test', 'maxretry').stdout.trim(), '3');
    assert.equal(client(h, 'get', 'test', 'findtime').stdout.trim(), '600');
    assert.match(client(h, 'status').stdout, /Jail list:\ttest/);
    assert.equal(client(h, 'status', 'nope').code, 2);
  });

  it('report feeds an application\'s failure straight into a jail with no logpath', async () => {
    const h = await daemon(`${JAIL}\n[web-login]\nenabled = true\nfilter =\nlogpath =\nmaxretry = 2\n`);
    type Reported = { accepted: boolean; ban: { ip: string; bantime: number; expires: number } | null };
    const first = clientJson<Reported>(h, 'report', 'web-login', '203.0.113.40', '--user', 'bob');
    assert.deepEqual(first, { accepted: true, ban: null });
    const second = clientJson<Reported>(h, 'report', 'web-login', '203.0.113.40');
    assert.equal(second.ban?.ip, '203.0.113.40', 'the reply to the failure that banned says so (the web integration locks at once)');
    assert.ok(second.ban.expires > Date.now() / 1000, "with its end time");
    await waitFor('the reported ban', () => bannedIps(h, 'web-login').includes('203.0.113.40'));
    assert.match(client(h, 'status', 'web-login').stdout, /application reports only/);
    assert.equal(client(h, 'report', 'web-login', 'not-an-ip').code, 2);
  });

  it('a restart keeps bans and log positions: old lines are not counted again', async () => {
    const h = await daemon();
    fail(h, '203.0.113.50', 3);
    fail(h, '203.0.113.51', 2);
    await waitFor('the ban', () => bannedIps(h).includes('203.0.113.50'));
    await waitFor('all failures read', () => clientJson<{ filter: { totalFailed: number } }>(h, 'status', 'test').filter.totalFailed === 5);
    await stopDaemon(h);
    await startDaemon(h);
    assert.deepEqual(bannedIps(h), ['203.0.113.50']);
    fail(h, '203.0.113.51');
    await waitFor('the new line', () => clientJson<{ filter: { totalFailed: number } }>(h, 'status', 'test').filter.totalFailed === 1);
    assert.ok(!bannedIps(h).includes('203.0.113.51'), 'the two failures before the restart were not read again');
  });

  it('kill -9 between the ban and its action loses nothing: the restart re-applies it', async () => {
    const h = makeDaemonDirs(JAIL.replace('action = log[path=$DIR/actions.log]', 'action = log[path=$DIR/blocked.fifo]'));
    running.push(h);
    writeFileSync(h.log, '');
    execFileSync('mkfifo', [join(h.dir, 'blocked.fifo')]);
    await startDaemon(h);
    fail(h, '203.0.113.60', 3);
    // The action blocks on a FIFO nobody reads: the daemon hangs after the ban is committed.
    await waitFor('the ban logged', () => /Ban 203\.0\.113\.60/.test(h.output.join('')));
    h.process!.kill('SIGKILL');
    await new Promise((r) => h.process!.once('exit', r));
    writeFileSync(join(h.config, 'jail.conf'), JAIL.replaceAll('$DIR', h.dir));
    await startDaemon(h);
    assert.deepEqual(bannedIps(h), ['203.0.113.60']);
    await waitFor('the restored action', () => readText(h.actions).includes('ban jail=test ip=203.0.113.60'));
  });

  it('reload applies a new jail and keeps every ban; a broken config is refused and the old one runs on', async () => {
    const h = await daemon();
    fail(h, '203.0.113.70', 3);
    await waitFor('the ban', () => bannedIps(h).includes('203.0.113.70'));
    writeFileSync(join(h.config, 'jail.local'), '[test]\nmaxretry = 2\n');
    const reloaded = clientJson<{ reloaded: string[] }>(h, 'reload');
    assert.deepEqual(reloaded.reloaded, ['test']);
    assert.deepEqual(bannedIps(h), ['203.0.113.70']);
    assert.equal(client(h, 'get', 'test', 'maxretry').stdout.trim(), '2');
    writeFileSync(join(h.config, 'jail.local'), '[test]\nmaxretry = 2\nbantime = %(nosuchoption)s\n');
    const refused = client(h, 'reload');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /jail\.local:3/);
    assert.equal(client(h, 'get', 'test', 'maxretry').stdout.trim(), '2');
    assert.deepEqual(bannedIps(h), ['203.0.113.70']);
    writeFileSync(join(h.config, 'jail.local'), '[test]\nmaxretry = 2\n');
    writeFileSync(join(h.config, 'filter.d', 'test.local'), '[Definition]\nfailregex = ^\\s*login (failed from <HOST>$\n');
    const badRegex = client(h, 'reload');
    assert.equal(badRegex.code, 2);
    assert.match(badRegex.stderr, /test\.local:2: Unable to compile regular expression/);
    writeFileSync(join(h.config, 'filter.d', 'test.local'), '[Definition]\nfailregex = ^\\s*denied <HOST>$\n');
    assert.deepEqual(clientJson<{ reloaded: string[] }>(h, 'reload').reloaded, ['test'], 'a changed filter reloads its jail');
    assert.deepEqual(clientJson<string[]>(h, 'get', 'test', 'failregex'), ['^\\s*denied <HOST>$']);
    assert.deepEqual(bannedIps(h), ['203.0.113.70']);
  });

  it('a broken config is refused at start with file:line; a missing log file does not stop the start', async () => {
    const broken = makeDaemonDirs(`${JAIL}\n[bad]\nenabled = true\nfilter = test\nmaxretry = lots\nlogpath = $DIR/nope.log\n`);
    const r = client(broken, 'server', '--config', broken.config, '--state-dir', broken.state);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /jail\.conf:\d+/);
    const h = await daemon(JAIL.replace('$DIR/app.log', '$DIR/later.log'));
    assert.match(client(h, 'status', 'test').stdout, /later\.log/);
    appendFileSync(join(h.dir, 'later.log'), failureLine('203.0.113.80').repeat(3));
    await waitFor('the ban from the file that appeared later', () => bannedIps(h).includes('203.0.113.80'));
  });

  it('picks up a file a glob matches after start, and follows a rename rotation', async () => {
    const h = await daemon(JAIL.replace('logpath = $DIR/app.log', 'logpath = $DIR/logs/*.log'));
    execFileSync('mkdir', ['-p', join(h.dir, 'logs')]);
    const daily = join(h.dir, 'logs', 'day2.log');
    appendFileSync(daily, failureLine('203.0.113.90').repeat(2));
    await waitFor('failures from the new file', () => clientJson<{ filter: { totalFailed: number } }>(h, 'status', 'test').filter.totalFailed === 2);
    renameSync(daily, join(h.dir, 'logs', 'day2.log.1'));
    appendFileSync(daily, failureLine('203.0.113.90'));
    await waitFor('the ban after rotation', () => bannedIps(h).includes('203.0.113.90'));
  });

  it('starts on a stock Debian /etc/fail2ban with sshd enabled (its iptables action in a namespace of its own)', async () => {
    const h = makeDaemonDirs(JAIL);
    running.push(h);
    h.config = '/etc/fail2ban';
    const ns = `bwstock${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      await startDaemon(h, [], ns);
      assert.match(client(h, 'status').stdout, /Jail list:\t.*sshd/);
      assert.match(client(h, 'status', 'sshd').stdout, /Currently banned:\t0/);
      assert.equal(client(h, 'set', 'sshd', 'banip', '203.0.113.250').code, 0);
      await waitFor('the stock action to ban in the namespace', () => execFileSync('ip', ['netns', 'exec', ns, 'iptables-save'], { encoding: 'utf8' }).includes('203.0.113.250'));
    } finally {
      await stopDaemon(h);
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });

  it('the control socket is root-only (0600) by default, 0660 for a --socket-group', async () => {
    const h = await daemon();
    assert.equal(statSync(h.socket).mode & 0o777, 0o600);
    const g = makeDaemonDirs(JAIL);
    writeFileSync(g.log, '');
    running.push(g);
    await startDaemon(g, ['--socket-group', 'root']);
    assert.equal(statSync(g.socket).mode & 0o777, 0o660);
  });

  it('the app socket serves reports, bans and status and refuses the rest; 0600, 0660 for --app-socket-group', async () => {
    const h = await daemon(`${JAIL}\n[web-login]\nenabled = true\nfilter =\nlogpath =\nmaxretry = 1\n`);
    const app = { ...h, socket: h.appSocket };
    assert.equal(statSync(h.appSocket).mode & 0o777, 0o600);
    const reported = clientJson<{ ban: { ip: string } | null }>(app, 'report', 'web-login', '203.0.113.60');
    assert.equal(reported.ban?.ip, '203.0.113.60');
    assert.deepEqual(clientJson(app, 'get', 'web-login', 'banip'), ['203.0.113.60']);
    assert.deepEqual(clientJson(app, 'banned', '203.0.113.60'), [{ ip: '203.0.113.60', jails: ['web-login'] }]);
    assert.equal(client(app, 'status', 'web-login').code, 0);
    for (const command of [['unban', '203.0.113.60'], ['unban', '--all'], ['set', 'web-login', 'unbanip', '203.0.113.60'], ['reload'], ['stop']]) {
      const r = client(app, ...command);
      assert.equal(r.code, 2, `${command.join(' ')} is refused on the app socket`);
      assert.match(r.stderr, /BANWARD_ERR_NOT_PERMITTED/);
    }
    assert.ok(bannedIps(h, 'web-login').includes('203.0.113.60'), 'nothing the app socket refused happened');
    assert.equal(client(h, 'unban', '203.0.113.60').code, 0, 'the admin socket still does it');

    const g = makeDaemonDirs(JAIL);
    writeFileSync(g.log, '');
    running.push(g);
    await startDaemon(g, ['--app-socket-group', 'root']);
    assert.equal(statSync(g.appSocket).mode & 0o777, 0o660);
    assert.equal(statSync(g.socket).mode & 0o777, 0o600, 'the admin socket stays root-only');

    const same = spawnSync(process.execPath, [BANWARD_BIN, 'server', '--config', g.config, '--socket', g.socket, '--app-socket', g.socket], { encoding: 'utf8' });
    assert.equal(same.status, 2);
    assert.match(same.stderr, /--app-socket must differ from --socket .*BANWARD_ERR_USAGE/);
  });

  it('bantime.increment makes a repeat offender\'s ban longer', async () => {
    const h = await daemon(JAIL.replace('bantime = 1h', 'bantime = 10m\nbantime.increment = true\nbantime.factor = 1\nbantime.multipliers = 1 2 4 8'));
    const bantime = () => clientJson<Array<{ ip: string; bantime: number }>>(h, 'get', 'test', 'banip', '--with-time')[0]?.bantime;
    fail(h, '203.0.113.100', 3);
    await waitFor('first ban', () => bannedIps(h).includes('203.0.113.100'));
    assert.equal(bantime(), 600);
    assert.equal(client(h, 'set', 'test', 'unbanip', '203.0.113.100').code, 0);
    fail(h, '203.0.113.100', 3);
    await waitFor('second ban', () => bannedIps(h).includes('203.0.113.100'));
    assert.equal(bantime(), 1200);
  });

  it('issue 13: bans another process writes into the running daemon\'s database (an import) are listed at once and enforced by reload --restart', async () => {
    const h = await daemon();
    fail(h, '203.0.113.7', 3);
    await waitFor('its own ban', () => bannedIps(h).includes('203.0.113.7'));
    const importer = new SqliteBanStore({ path: join(h.state, 'banward.sqlite3') });
    importer.addBans([{ jail: 'test', ip: '192.0.2.44', time: Date.now() / 1000, bantime: 3600, banCount: 1, matches: ['imported from fail2ban'] }]);
    importer.close();
    await waitFor('the imported ban in status', () => bannedIps(h).includes('192.0.2.44'));
    assert.deepEqual(bannedIps(h).sort(), ['192.0.2.44', '203.0.113.7']);
    assert.doesNotMatch(readText(h.actions), /ip=192\.0\.2\.44/, 'not enforced before the restart of the actions');
    assert.equal(client(h, 'reload', '--restart').code, 0);
    await waitFor('the imported ban enforced', () => readText(h.actions).includes('ban jail=test ip=192.0.2.44'));
    const counts = () => {
      const { filter, actions } = clientJson<{ filter: { totalFailed: number }; actions: { totalBanned: number } }>(h, 'status', 'test');
      return { failed: filter.totalFailed, banned: actions.totalBanned };
    };
    const before = counts();
    fail(h, '192.0.2.44', 3);
    await waitFor('its failures counted', () => counts().failed === before.failed + 3);
    assert.equal(counts().banned, before.banned, 'an address banned already is not banned again');
    await waitFor('the daemon says so', () => /192\.0\.2\.44 already banned/.test(h.output.join('')));
  });
});

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { clientJson, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';
import { nftSet } from './_firewall-state.js';
import { inNs, ip } from './_netns.js';

/**
 * Issue 16, the switch from fail2ban: a real fail2ban-server bans in a network namespace of the test's
 * own; `banward migrate --import-bans` reads its database while it runs; fail2ban stops (its nft table
 * goes) and banward starts on the imported state: the same addresses are dropped, with fail2ban's end
 * times and ban counts. Then both daemons side by side on one log, banward with --dry-run, and
 * `migrate --compare` over their logs.
 */
const BUNDLED = new URL('../../../config/', import.meta.url).pathname;

function sshdLine(address: string, port: number): string {
  const now = new Date();
  const stamp = now.toString().slice(4, 15).replace(/ (\d) /, '  $1 ').slice(0, 6);
  return `${stamp} ${now.toTimeString().slice(0, 8)} host sshd[${port}]: Failed password for root from ${address} port ${port} ssh2\n`;
}

function banward(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BANWARD_BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** fail2ban's own configuration tree (Debian's filter.d and action.d) with one sshd jail on `log`. */
function fail2banConfig(dir: string, log: string): string {
  const conf = join(dir, 'f2b');
  mkdirSync(conf, { recursive: true });
  for (const d of ['filter.d', 'action.d', 'paths-common.conf', 'paths-debian.conf']) symlinkSync(`/etc/fail2ban/${d}`, join(conf, d));
  writeFileSync(join(conf, 'jail.conf'), `[DEFAULT]\nbantime = 3\nfindtime = 1h\nbackend = polling\nbantime.increment = true\nbantime.multipliers = 1 5000\n\n[sshd]\nenabled = true\nfilter = sshd\nlogpath = ${log}\nmaxretry = 2\naction = nftables-multiport[port=22, protocol=tcp]\n`);
  writeFileSync(join(conf, 'fail2ban.conf'), `[Definition]\nloglevel = NOTICE\nlogtarget = ${join(dir, 'f2b.log')}\ndbfile = ${join(dir, 'f2b.sqlite3')}\n`);
  return conf;
}

describe('issue 16: banward migrate against a real fail2ban-server', { timeout: 240_000 }, () => {
  const ns = `bwmig${process.pid}`;
  let dir = '';
  let conf = '';
  let log = '';
  const fail2ban = (...args: string[]) => spawnSync('ip', ['netns', 'exec', ns, 'fail2ban-client', '-c', conf, '-s', join(dir, 'f2b.sock'), '-p', join(dir, 'f2b.pid'), ...args], { encoding: 'utf8' });
  const fail2banBanned = () => /Banned IP list:\s*(.*)$/m.exec(fail2ban('status', 'sshd').stdout)?.[1]?.trim().split(/\s+/).filter(Boolean).sort() ?? [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'banward-migrate-'));
    log = join(dir, 'auth.log');
    writeFileSync(log, '');
    conf = fail2banConfig(dir, log);
    ip('netns', 'add', ns);
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
  });
  after(() => {
    fail2ban('stop');
    try { ip('netns', 'del', ns); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the bans in force while fail2ban runs; banward started on them drops the same addresses, nobody unbanned', async () => {
    const started = fail2ban('start');
    assert.equal(started.status, 0, started.stderr);
    await waitFor('fail2ban-server to answer', () => fail2ban('ping').status === 0, 30_000);
    // First bans of 3 s run out (fail2ban keeps their count); the second ones, 5000 × longer, are in force.
    appendFileSync(log, sshdLine('10.1.0.1', 1) + sshdLine('10.1.0.1', 2) + sshdLine('10.1.0.2', 8) + sshdLine('10.1.0.2', 9) + sshdLine('10.1.0.3', 5));
    await waitFor('fail2ban to ban two', () => fail2banBanned().length === 2, 60_000);
    await waitFor('their first bans to run out', () => fail2banBanned().length === 0, 60_000);
    appendFileSync(log, sshdLine('10.1.0.1', 6) + sshdLine('10.1.0.1', 7) + sshdLine('10.1.0.2', 3) + sshdLine('10.1.0.2', 4));
    await waitFor('fail2ban to ban two', () => fail2banBanned().length === 2, 60_000);
    assert.deepEqual(fail2banBanned(), ['10.1.0.1', '10.1.0.2']);

    const state = join(dir, 'bw-state');
    const imported = banward('migrate', '--import-bans', join(dir, 'f2b.sqlite3'), '--state-dir', state, '--from', conf, '--to', conf, '--json');
    assert.equal(imported.code, 0, imported.stderr);
    const report = JSON.parse(imported.stdout) as { version: number; imported: { jail: string; ip: string; expires: number; banCount: number }[] };
    assert.equal(report.version, 4);
    const f2b = new Database(join(dir, 'f2b.sqlite3'), { readonly: true });
    const theirs = f2b.prepare('SELECT ip, timeofban + bantime AS expires, bancount FROM bips WHERE jail = ? ORDER BY ip').all('sshd') as { ip: string; expires: number; bancount: number }[];
    f2b.close();
    assert.deepEqual(report.imported.map((b) => [b.ip, b.expires, b.banCount]).sort(), theirs.map((b) => [b.ip, b.expires, b.bancount]));
    assert.deepEqual(theirs.map((b) => b.bancount), [2, 2], 'fail2ban counted the second bans');
    assert.equal(theirs.length, 2);
    const again = banward('migrate', '--import-bans', join(dir, 'f2b.sqlite3'), '--state-dir', state, '--from', conf, '--to', conf, '--json');
    assert.equal((JSON.parse(again.stdout) as { imported: unknown[] }).imported.length, 0, 'a second import adds nothing');

    assert.equal(fail2ban('stop').status, 0);
    assert.doesNotMatch(inNs(ns, 'nft', 'list', 'ruleset'), /f2b-table/, 'fail2ban took its table with it');

    const h: DaemonHarness = {
      dir, config: join(dir, 'bw'), state, socket: join(dir, 'bw.sock'), appSocket: join(dir, 'bw-app.sock'),
      log, actions: join(dir, 'actions.log'), output: [], process: null,
    };
    cpSync(join(BUNDLED, 'filter.d'), join(h.config, 'filter.d'), { recursive: true });
    writeFileSync(join(h.config, 'jail.conf'), `[sshd]\nenabled = true\nfilter = sshd\nlogpath = ${log}\nbackend = polling\nmaxretry = 2\nbantime = 1h\nbantime.increment = true\naction = nftables[port=22, protocol=tcp]\n`);
    try {
      await startDaemon(h, [], ns);
      await waitFor('the imported bans in nft', () => nftSet(ns, 'sshd-v4').size === 2);
      assert.deepEqual([...nftSet(ns, 'sshd-v4')].sort(), ['10.1.0.1', '10.1.0.2']);
      const bans = clientJson<{ ip: string; expires: number | null }[]>(h, 'get', 'sshd', 'banip', '--with-time');
      assert.deepEqual(bans.map((b) => [b.ip, b.expires]).sort(), theirs.map((b) => [b.ip, b.expires]));
    } finally {
      await stopDaemon(h);
    }
    const ours = new Database(join(state, 'banward.sqlite3'), { readonly: true });
    const count = ours.prepare("SELECT COUNT(*) FROM bans WHERE jail = 'sshd' AND ip = '10.1.0.1'").pluck().get();
    ours.close();
    assert.equal(count, 2, "banward's history carries fail2ban's ban count, for bantime.increment");
  });

  it('reports what differs, and --write makes a jail.local banward runs with the same jails', () => {
    const report = banward('migrate', '--from', conf, '--json');
    assert.equal(report.code, 0, report.stderr);
    const parsed = JSON.parse(report.stdout) as { refused: string[]; jails: { jail: string; same: boolean }[] };
    assert.deepEqual(parsed.refused, []);
    assert.deepEqual(parsed.jails.map((j) => [j.jail, j.same]), [['sshd', true]]);
    const to = join(dir, 'etc-banward');
    cpSync(BUNDLED, to, { recursive: true });
    const written = banward('migrate', '--write', '--from', conf, '--to', to);
    assert.equal(written.code, 0, written.stderr);
    const local = readFileSync(join(to, 'jail.local'), 'utf8');
    assert.match(local, /\[sshd\]\nenabled = true\nfilter = sshd/);
    assert.match(local, /action = nftables\[port=22, protocol=tcp\]/, "fail2ban's nftables-multiport becomes the native action");
    const checked = banward('test-config', '--config', to, '--json');
    assert.equal(checked.code, 0, checked.stderr);
    const jails = (JSON.parse(checked.stdout) as { jails: { name: string; files?: string[]; maxretry: number; actions: string[] }[] }).jails;
    assert.deepEqual(jails.map((j) => [j.name, j.files, j.maxretry, j.actions]), [['sshd', [log], 2, ['nftables[port=22, protocol=tcp]']]]);
    writeFileSync(join(to, 'jail.local'), '# the admin\'s own\n');
    assert.equal(banward('migrate', '--write', '--from', conf, '--to', to).code, 0);
    assert.equal(readFileSync(join(to, 'jail.local'), 'utf8'), '# the admin\'s own\n', 'an existing jail.local is kept');
    assert.match(readFileSync(join(to, 'jail.local.banward-new'), 'utf8'), /\[sshd\]/);
  });

  it('--dry-run beside fail2ban on the same log decides the same bans without touching the firewall; --compare says so', async () => {
    fail2ban('stop');
    // A fresh start for both: the first test's bans and log lines are not this comparison's.
    for (const f of ['f2b.sqlite3', 'f2b.log']) rmSync(join(dir, f), { force: true });
    writeFileSync(log, '');
    const started = fail2ban('start');
    assert.equal(started.status, 0, started.stderr);
    await waitFor('fail2ban-server to answer', () => fail2ban('ping').status === 0, 30_000);
    const h: DaemonHarness = {
      dir, config: conf, state: join(dir, 'dry-state'), socket: join(dir, 'dry.sock'), appSocket: join(dir, 'dry-app.sock'),
      log, actions: join(dir, 'actions.log'), output: [], process: null,
    };
    const banwardLog = join(dir, 'banward-dry.log');
    try {
      await startDaemon(h, ['--dry-run', '--log-target', banwardLog, '--app-socket', 'none'], ns);
      const lines = ['10.2.0.1', '10.2.0.2', '10.2.0.3'].flatMap((a, i) => [sshdLine(a, 100 + i), sshdLine(a, 200 + i)]).join('') + sshdLine('10.2.0.9', 300);
      appendFileSync(log, lines);
      await waitFor('fail2ban to ban three', () => fail2banBanned().length === 3, 60_000);
      await waitFor('banward to decide three', () => clientJson<string[]>(h, 'get', 'sshd', 'banip').length === 3, 60_000);
      assert.match(readFileSync(banwardLog, 'utf8'), /dry run \(banward server --dry-run\)/);
      assert.doesNotMatch(inNs(ns, 'nft', 'list', 'ruleset'), /table inet banward/, 'a dry run writes no firewall rule');
    } finally {
      await stopDaemon(h);
      fail2ban('stop');
    }
    const compared = banward('migrate', '--compare', '--fail2ban-log', join(dir, 'f2b.log'), '--banward-log', banwardLog, '--json');
    const result = JSON.parse(compared.stdout) as { onlyFail2ban: Record<string, string[]>; onlyBanward: Record<string, string[]>; both: Record<string, number> };
    assert.deepEqual(result, { onlyFail2ban: {}, onlyBanward: {}, both: { sshd: 3 } });
    assert.equal(compared.code, 0, 'no difference: exit 0');
  });
});

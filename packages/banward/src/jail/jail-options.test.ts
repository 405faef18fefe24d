import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { memoryConfigFs } from '../config/index.js';
import { isBanwardError } from '../errors.js';
import { BACKEND_NAMES } from '../source/index.js';
import { checkJailConfig, readJailOptions, splitLogPaths, type JailOptions } from './jail-options.js';

const BUNDLED = join(dirname(fileURLToPath(import.meta.url)), '../../../config');
const HAVE_FAIL2BAN = existsSync('/etc/fail2ban/jail.conf');

function byName(jails: JailOptions[], name: string): JailOptions {
  const jail = jails.find((j) => j.name === name);
  assert.ok(jail, `jail ${name}`);
  return jail;
}

test('jail options: /etc/fail2ban with a jail.local, as fail2ban-client reads it', { skip: !HAVE_FAIL2BAN && 'no /etc/fail2ban' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-f2b-'));
  cpSync('/etc/fail2ban', dir, { recursive: true });
  writeFileSync(join(dir, 'jail.local'), [
    '[DEFAULT]', 'ignoreip = 127.0.0.1/8 ::1 192.0.2.0/24', 'bantime.increment = true', 'bantime.maxtime = 1w',
    '[sshd]', 'enabled = true',
    '[nginx-http-auth]', 'enabled = true', 'logpath = /var/log/auth.log tail', '   /var/log/syslog',
    '[recidive]', 'enabled = true', '',
  ].join('\n'));
  const jails = readJailOptions(dir);
  // Expected values: fail2ban 1.0.2's JailReader.getOptions() on the same directory.
  const sshd = byName(jails, 'sshd');
  assert.equal(sshd.enabled, true);
  assert.equal(sshd.filter, 'sshd[mode=normal]');
  assert.deepEqual(sshd.filterOptions, { mode: 'normal' });
  assert.deepEqual(sshd.logpath, [{ path: '/var/log/auth.log', tail: false }]);
  assert.equal(sshd.backend, 'auto');
  assert.deepEqual([sshd.maxretry, sshd.maxmatches, sshd.findtime, sshd.bantime], [5, 5, 600, 600]);
  assert.deepEqual(sshd.ignoreip, ['127.0.0.1/8', '::1', '192.0.2.0/24']);
  assert.equal(sshd.ignorecommand, undefined);
  assert.equal(sshd.usedns, 'warn');
  assert.equal(sshd.logencoding, 'auto');
  assert.deepEqual(sshd.action, ['iptables-multiport[port="ssh", protocol="tcp", chain="<known/chain>"]']);
  assert.deepEqual(sshd.bantimeIncrement, {
    increment: true, factor: 1, formula: null, multipliers: [], maxtime: 604800, rndtime: null, overalljails: false,
  });
  assert.equal(sshd.options['fail2ban_confpath'], dir);
  const nginx = byName(jails, 'nginx-http-auth');
  assert.deepEqual(nginx.logpath, [{ path: '/var/log/auth.log', tail: true }, { path: '/var/log/syslog', tail: false }]);
  assert.deepEqual(nginx.action, ['iptables-multiport[port="http,https", protocol="tcp", chain="<known/chain>"]']);
  const recidive = byName(jails, 'recidive');
  assert.deepEqual([recidive.filter, recidive.findtime, recidive.bantime], ['recidive[mode=normal]', 86400, 604800]);
  assert.deepEqual(recidive.logpath, [{ path: '/var/log/fail2ban.log', tail: false }]);
  assert.deepEqual(recidive.action, ['iptables-allports[port="0:65535", protocol="tcp", chain="<known/chain>"]']);
  const apache = byName(jails, 'apache-fakegooglebot');
  assert.equal(apache.enabled, false);
  assert.equal(apache.ignorecommand, `${dir}/filter.d/ignorecommands/apache-fakegooglebot <ip>`);
  // Every section of fail2ban's jail.conf reads without a problem.
  const report = checkJailConfig(dir);
  assert.deepEqual([report.problems, report.skipped], [[], []]);
  assert.equal(report.jails.length, 91);
  assert.deepEqual(jails.filter((j) => j.enabled).map((j) => j.name), ['sshd', 'nginx-http-auth', 'recidive']);
});

test('jail options: the bundled configuration reads without problems, frozen', () => {
  const report = checkJailConfig(BUNDLED);
  assert.deepEqual(report.problems.map((p) => p.describe()), []);
  assert.deepEqual(report.skipped, []);
  const sshd = byName(report.jails, 'sshd');
  assert.deepEqual(
    [sshd.enabled, sshd.filter, sshd.logpath, sshd.backend, sshd.action],
    [true, 'sshd[mode=normal]', [{ path: '/var/log/auth.log', tail: false }], 'auto', ['nftables[port="ssh", protocol="tcp"]']],
  );
  assert.equal(byName(report.jails, 'postfix-sasl').filter, 'postfix[mode=auth]');
  assert.deepEqual(byName(report.jails, 'recidive').action, ['nftables[type=allports][port="0:65535", protocol="tcp"]']);
  assert.deepEqual([sshd.countprefix6, sshd.appreports], [0, false], 'off by default: fail2ban\'s own jails count as fail2ban does');
  assert.equal(sshd.fleetCount, 'local', 'issue 15: failures are counted by this node alone unless fleet.count = shared');
  const prefixes = ['web-login', 'django-auth'].map((n) => [byName(report.jails, n).countprefix6, byName(report.jails, n).appreports]);
  assert.deepEqual(prefixes, [[64, false], [64, true]], 'issue 11 defect 7: the bundled app jails count per /64; django-auth takes app reports');
  assert.ok(Object.isFrozen(sshd) && Object.isFrozen(sshd.logpath) && Object.isFrozen(sshd.logpath[0]) && Object.isFrozen(sshd.bantimeIncrement));
});

const BASE = {
  '/c/jail.conf': '[DEFAULT]\nbantime = 10m\nfindtime = 10m\nmaxretry = 5\nfilter = %(__name__)s\n[sshd]\nlogpath = /var/log/auth.log\n[web]\nlogpath = /var/log/web.log\n',
  '/c/filter.d/sshd.conf': '[Definition]\nfailregex = ^x <HOST>$\n',
  '/c/filter.d/web.conf': '[Definition]\nfailregex = ^y <HOST>$\n',
};

test('jail options: a broken jail.local reports both problems at once, with file:line', () => {
  const fs = memoryConfigFs({
    ...BASE,
    '/c/jail.local': '[sshd]\nenabled = true\nmaxretry = lots\nbantime = 10 parsecs\n[web]\nmaxretry = x\n',
  });
  assert.throws(() => readJailOptions('/c', { fs }), (e: unknown) => {
    assert.ok(isBanwardError(e));
    assert.equal(e.code, 'BANWARD_ERR_CONFIG_VALUE');
    assert.match(e.message, /^2 problems in the jail configuration:/);
    assert.match(e.message, /\/c\/jail\.local:3: \[sshd\] maxretry: expected a whole number, not "lots"/);
    assert.match(e.message, /\/c\/jail\.local:4: \[sshd\] bantime: time value "10 parsecs" is not a time/);
    return true;
  });
  // The disabled jail's problem does not stop the others, as in fail2ban.
  const report = checkJailConfig('/c', { fs });
  assert.deepEqual(report.skipped.map((s) => [s.name, s.problems.map((p) => p.describe())]), [
    ['web', ['/c/jail.local:6: [web] maxretry: expected a whole number, not "x"']],
  ]);
});

test('issue 12: every backend the source registry knows is a valid jail option (backend = inotify was refused)', () => {
  for (const name of BACKEND_NAMES) {
    const fs = memoryConfigFs({ ...BASE, '/c/jail.local': `[sshd]\nenabled = true\nbackend = ${name}\n` });
    assert.equal(readJailOptions('/c', { fs }).find((j) => j.name === 'sshd')?.backend, name);
  }
});

test('issue 12: a jail without any action setting gets the default banaction with its port and protocol; action = stays empty', () => {
  const jail = (extra: string) => readJailOptions('/c', { fs: memoryConfigFs({ ...BASE, '/c/jail.local': `[sshd]\nenabled = true\n${extra}` }) }).find((j) => j.name === 'sshd')!;
  const bare = jail('');
  assert.deepEqual(bare.action, ['nftables[port="0:65535", protocol="tcp"]']);
  assert.equal(bare.actionDefaulted, true);
  assert.deepEqual(jail('banaction = ipset\nport = ssh\n').action, ['ipset[port="ssh", protocol="tcp"]']);
  assert.deepEqual(jail('port = 2222\n').action, ['nftables[port="2222", protocol="tcp"]']);
  assert.throws(() => jail('port = a"b\'c\n'), /jail\.local:3: \[sshd\] port: /, 'a port no quoting holds is a problem at its line');
  const empty = jail('action =\n');
  assert.deepEqual(empty.action, []);
  assert.equal(empty.actionDefaulted, undefined);
});

test('jail options: each kind of problem is found and placed', () => {
  const cases: Array<[string, RegExp]> = [
    ['enabled = maybe', /:2: \[sshd\] enabled: expected true or false/],
    ['filter = nosuch', /:2: \[sshd\] filter: no filter "nosuch" in \/c\/filter\.d/],
    ['filter = sshd[mode=normal', /:2: .*filter/],
    ['backend = kqueue', /:2: \[sshd\] backend: expected one of auto, pyinotify, inotify, gamin, polling, systemd, not "kqueue"/],
    ['usedns = maybe', /:2: \[sshd\] usedns: expected one of yes, warn, no, raw/],
    ['findtime = 0', /:2: \[sshd\] findtime: must be a time above 0/],
    ['maxmatches = -1', /:2: \[sshd\] maxmatches: must be 0 or more/],
    ['ignoreip = 127.0.0.1 10.0.0.0/40', /:2: \[sshd\] ignoreip: "10.0.0.0\/40" is not an address/],
    ['ignorecommand = /bin/check "<ip>', /:2: \[sshd\] ignorecommand: .*no closing quotation/],
    ['ignorecache = max-count=3', /:2: \[sshd\] ignorecache: ignorecache needs key=/],
    ['bantime.formula = ban.Time * os.getpid()', /:2: \[sshd\] bantime.formula: bantime.formula .*unknown function os.getpid\(\) at position 12/],
    ['bantime.factor = two', /:2: \[sshd\] bantime.factor: /],
    ['bantime.multipliers = 1 2 x', /:2: \[sshd\] bantime.multipliers: /],
    ['bantime.maxtime = soon', /:2: \[sshd\] bantime.maxtime: /],
    ['logencoding = klingon-8', /:2: \[sshd\] logencoding: unknown encoding/],
    ['action = iptables[port=ssh', /:2: .*action/],
    ['logpath = %(nowhere)s', /:2: .*refers to %\(nowhere\)s/],
    ['maxlines = 0', /:2: \[sshd\] maxlines: must be 1 or more/],
    ['journalmatch = _COMM="sshd', /:2: \[sshd\] journalmatch: .*no closing quotation/],
    ['countprefix6 = 129', /:2: \[sshd\] countprefix6: an IPv6 prefix length is 128 at most, not 129/],
    ['countprefix6 = /64', /:2: \[sshd\] countprefix6: expected a whole number/],
    ['appreports = sometimes', /:2: \[sshd\] appreports: expected true or false/],
    ['fleet.count = global', /:2: \[sshd\] fleet.count: expected one of shared, local, not "global"/],
  ];
  for (const [line, message] of cases) {
    const enable = line.startsWith('enabled') ? '' : 'enabled = true\n';
    const fs = memoryConfigFs({ ...BASE, '/c/jail.local': `[sshd]\n${line}\n${enable}` });
    const report = checkJailConfig('/c', { fs });
    assert.equal(report.problems.length, 1, `${line}: ${report.problems.map((p) => p.describe()).join('; ')}`);
    const [problem] = report.problems;
    assert.ok(problem);
    assert.match(problem.describe(), new RegExp(`^/c/jail\\.local${message.source}`), line);
  }
});

test('jail options: values, overrides and inline specs', () => {
  const fs = memoryConfigFs({
    ...BASE,
    '/c/jail.local': [
      '[sshd]', 'enabled = yes', 'mode = aggressive', 'filter = sshd[mode=%(mode)s, maxlines=2]', 'backend = systemd[journalpath=/run/log]',
      'bantime = -1', 'bantime.increment = on', 'bantime.factor = 2.0 / 2.885385', 'bantime.multipliers = 1 5 30',
      'bantime.rndtime = 5m', 'bantime.overalljails = 1', 'ignorecache = key="<ip>", max-time=1h', 'maxlines = 3',
      'datepattern = {^LN-BEG}', 'journalmatch = _SYSTEMD_UNIT=sshd.service + _COMM=sshd', 'action =', 'logtimezone = UTC', '',
    ].join('\n'),
  });
  const sshd = byName(readJailOptions('/c', { fs }), 'sshd');
  assert.deepEqual(
    [sshd.filter, sshd.filterName, sshd.filterOptions, sshd.backend, sshd.bantime],
    ['sshd[mode=aggressive, maxlines=2]', 'sshd', { mode: 'aggressive', maxlines: '2' }, 'systemd[journalpath=/run/log]', -1],
  );
  assert.deepEqual(sshd.bantimeIncrement, {
    increment: true, factor: 2.0 / 2.885385, formula: null, multipliers: [1, 5, 30], maxtime: null, rndtime: 300, overalljails: true,
  });
  assert.deepEqual(sshd.ignorecache, { key: '<ip>', maxCount: 100, maxTime: 3600 });
  assert.deepEqual([sshd.maxlines, sshd.datepattern, sshd.logtimezone], [3, '{^LN-BEG}', 'UTC']);
  assert.deepEqual(sshd.journalmatch, [['_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd']]);
  assert.deepEqual(sshd.action, []);
  assert.equal(sshd.options['bantime.factor'], '2.0 / 2.885385');
  assert.deepEqual(splitLogPaths('/a tail\n\n /b head \n/my logs/c.log'), [
    { path: '/a', tail: true }, { path: '/b', tail: false }, { path: '/my logs/c.log', tail: false },
  ]);
});

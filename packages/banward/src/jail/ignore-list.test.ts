import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Logger } from '../log/logger.js';
import { classifyIgnoreEntry, IgnoreList } from './ignore-list.js';
import { IGNORE_COMMAND_TIMEOUT_MS, parseIgnoreCache } from './_ignore-command.js';

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = {
    lines,
    error: (m: string) => lines.push(`ERROR ${m}`),
    warn: (m: string) => lines.push(`WARN ${m}`),
    notice: (m: string) => lines.push(`NOTICE ${m}`),
    info: (m: string) => lines.push(`INFO ${m}`),
    debug: () => undefined,
    child: () => log,
    enabled: () => true,
  };
  return log;
}

test('ignore list: addresses and ranges (v4, v6, IPv4-mapped v6)', async () => {
  const list = new IgnoreList({ ignoreip: '192.0.2.0/24, 2001:db8::/32 198.51.100.7', ignoreself: false });
  const cases: Array<[string, boolean]> = [
    ['192.0.2.77', true],
    ['::ffff:192.0.2.9', true],
    ['2001:db8:1::5', true],
    ['2001:DB8::1', true],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['2001:db9::1', false],
    ['not-an-ip', false],
  ];
  for (const [ip, ignored] of cases) {
    assert.deepEqual(await list.isIgnored(ip), ignored ? { ignored, source: 'ip' } : { ignored }, ip);
    assert.equal(list.matchStatic(ip).ignored, ignored, `sync ${ip}`);
  }
  assert.deepEqual(list.entries(), ['192.0.2.0/24', '2001:db8::/32', '198.51.100.7']);
});

test('ignore list: ignoreself covers own interfaces, 127.0.0.0/8 and ::1', async () => {
  const own = new IgnoreList({ selfAddresses: () => ['10.1.2.3', 'fe80::1'] });
  for (const ip of ['10.1.2.3', '127.0.0.5', '::1', 'fe80::1']) {
    assert.deepEqual(await own.isIgnored(ip), { ignored: true, source: 'ignoreself rule' }, ip);
  }
  assert.equal((await own.isIgnored('10.1.2.4')).ignored, false);
  assert.equal(new IgnoreList().matchStatic('127.0.0.1').source, 'ignoreself rule');
  assert.equal(new IgnoreList({ ignoreself: false }).matchStatic('127.0.0.1').ignored, false);
});

test('ignore list: add, remove, entries (set addignoreip/delignoreip)', () => {
  const list = new IgnoreList({ ignoreself: false });
  list.add('203.0.113.0/24');
  list.add('203.0.113.9/24'); // the same range once canonical: not added twice
  list.add('::ffff:198.51.100.1');
  assert.deepEqual(list.entries(), ['203.0.113.0/24', '198.51.100.1']);
  assert.equal(list.matchStatic('203.0.113.200').ignored, true);
  assert.equal(list.remove('203.0.113.0/24'), true);
  assert.equal(list.remove('203.0.113.0/24'), false);
  assert.equal(list.matchStatic('203.0.113.200').ignored, false);
  assert.throws(() => list.add('300.1.1.1'), /is not an address, a CIDR range, a host name/);
});

test('ignore list: entry kinds', () => {
  const cases: Array<[string, string]> = [
    ['203.0.113.5', 'ip'], ['10.0.0.0/8', 'ip'], ['::1', 'ip'], ['localhost', 'dns'], ['mail.example.org', 'dns'],
    ['file:/etc/banward/ignore.list', 'file'], ['file:relative', 'error'], ['1.2.3.4/33', 'error'], ['10.0.0.256', 'error'],
    ['bad_host!', 'error'], ['2001:db8::zz', 'error'],
  ];
  for (const [word, kind] of cases) {
    const entry = classifyIgnoreEntry(word);
    assert.equal('error' in entry ? 'error' : entry.kind, kind, word);
  }
});

test('ignore list: file: list is re-read when its mtime changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-ignore-'));
  const file = join(dir, 'ignore.list');
  writeFileSync(file, '# trusted\n192.0.2.1\n198.51.100.0/24, 2001:db8::/48\n');
  utimesSync(file, 1000, 1000);
  let now = 5000;
  const list = new IgnoreList({ ignoreip: [`file:${file}`], ignoreself: false, clock: () => now });
  assert.equal(list.matchStatic('198.51.100.20').source, `file:${file}`);
  assert.equal((await list.isIgnored('2001:db8::7')).ignored, true);
  writeFileSync(file, '203.0.113.0/24\n');
  utimesSync(file, 2000, 2000);
  now += 2;
  assert.deepEqual(await list.isIgnored('198.51.100.20'), { ignored: false });
  assert.deepEqual(await list.isIgnored('203.0.113.44'), { ignored: true, source: `file:${file}` });
});

test('ignore list: DNS names resolve at load (localhost) and refresh in the background', async () => {
  const real = new IgnoreList({ ignoreip: 'localhost', ignoreself: false });
  assert.deepEqual(await real.isIgnored('127.0.0.1'), { ignored: true, source: 'dns' });

  let now = 0;
  let answer = ['192.0.2.10'];
  let gate: Promise<void> = Promise.resolve();
  const asked: string[] = [];
  const list = new IgnoreList({
    ignoreip: ['gw.example.test'],
    ignoreself: false,
    clock: () => now,
    dnsRefresh: 300,
    resolve: async (name) => { asked.push(name); await gate; return answer; },
  });
  await list.ready();
  assert.equal(list.matchStatic('192.0.2.10').source, 'dns');
  answer = ['192.0.2.11'];
  let open!: () => void;
  gate = new Promise((resolve) => { open = resolve; });
  now = 301;
  // The refresh runs in the background: the old answer is served meanwhile.
  assert.equal((await list.isIgnored('192.0.2.10')).ignored, true);
  open();
  await list.ready();
  assert.deepEqual(await list.isIgnored('192.0.2.11'), { ignored: true, source: 'dns' });
  assert.equal((await list.isIgnored('192.0.2.10')).ignored, false);
  assert.deepEqual(asked, ['gw.example.test', 'gw.example.test']);
});

test('ignore list: ignorecommand runs without a shell; an injected "address" executes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-ignorecmd-'));
  const script = join(dir, 'is-trusted.sh');
  const calls = join(dir, 'calls');
  writeFileSync(script, `#!/bin/sh\necho "$1" >> '${calls}'\n[ "$1" = 203.0.113.99 ] && exit 3\ntest "$BANWARD_IP" = 203.0.113.5 && test "$1" = 203.0.113.5\n`);
  chmodSync(script, 0o755);
  const log = memoryLog();
  const list = new IgnoreList({ ignorecommand: `${script} <ip>`, ignoreself: false, log });
  assert.deepEqual(await list.isIgnored('203.0.113.5'), { ignored: true, source: 'command' });
  assert.deepEqual(await list.isIgnored('203.0.113.6'), { ignored: false });
  const pwned = join(dir, 'pwned');
  for (const evil of [`203.0.113.5;touch ${pwned}`, `$(touch ${pwned})`, `\`touch ${pwned}\``, `203.0.113.5 && touch ${pwned}`]) {
    assert.deepEqual(await list.isIgnored(evil), { ignored: false }, evil);
  }
  assert.equal(existsSync(pwned), false);
  assert.deepEqual(await list.isIgnored('203.0.113.99'), { ignored: false });
  assert.match(log.lines.join('\n'), /ERROR ignorecommand .*is-trusted\.sh for 203\.0\.113\.99: exit status 3/);
  // Each "address" reached the script as exactly one argument.
  assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), [
    '203.0.113.5', '203.0.113.6', `203.0.113.5;touch ${pwned}`, `$(touch ${pwned})`, `\`touch ${pwned}\``, `203.0.113.5 && touch ${pwned}`, '203.0.113.99',
  ]);
  const missing = new IgnoreList({ ignorecommand: join(dir, 'nope') + ' <ip>', ignoreself: false, log });
  assert.deepEqual(await missing.isIgnored('203.0.113.5'), { ignored: false });
  assert.match(log.lines.at(-1) ?? '', /ERROR ignorecommand .*nope for 203\.0\.113\.5/);
});

test('ignore list: a hung ignorecommand is killed after its timeout and the address is not ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-ignorecmd-hung-'));
  const script = join(dir, 'hangs.sh');
  writeFileSync(script, '#!/bin/sh\nsleep 1000\n');
  chmodSync(script, 0o755);
  const log = memoryLog();
  const list = new IgnoreList({ ignorecommand: `${script} <ip>`, ignoreself: false, log, commandTimeoutMs: 500 });
  assert.deepEqual(await list.isIgnored('203.0.113.7'), { ignored: false });
  assert.match(log.lines.join('\n'), /ERROR ignorecommand .*hangs\.sh for 203\.0\.113\.7: timed out after 0\.5 s/);
  assert.equal(IGNORE_COMMAND_TIMEOUT_MS, 10_000, 'the default docs/security.md gives');
});

test('ignore list: ignorecache keeps command answers for max-time, at most max-count', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-ignorecache-'));
  const script = join(dir, 'count.sh');
  const calls = join(dir, 'calls');
  writeFileSync(script, `#!/bin/sh\necho "$1" >> '${calls}'\nexit 1\n`);
  chmodSync(script, 0o755);
  let now = 0;
  const list = new IgnoreList({
    ignorecommand: `${script} <ip>`, ignorecache: 'key="<ip>", max-count=2, max-time=5m', ignoreself: false, clock: () => now,
  });
  const count = (): number => readFileSync(calls, 'utf8').trim().split('\n').length;
  await list.isIgnored('203.0.113.1');
  await list.isIgnored('203.0.113.1');
  assert.equal(count(), 1);
  now = 299;
  await list.isIgnored('203.0.113.1');
  assert.equal(count(), 1);
  now = 300;
  await list.isIgnored('203.0.113.1');
  assert.equal(count(), 2);
  await list.isIgnored('203.0.113.2');
  await list.isIgnored('203.0.113.3'); // cache full: the oldest answer (…1) goes
  await list.isIgnored('203.0.113.1');
  assert.equal(count(), 5);
  assert.deepEqual(parseIgnoreCache('key="<ip>", max-count=100, max-time=5m'), { key: '<ip>', maxCount: 100, maxTime: 300 });
  assert.deepEqual(parseIgnoreCache('key=<F-USER>'), { key: '<F-USER>', maxCount: 100, maxTime: 300 });
  assert.throws(() => parseIgnoreCache('max-count=1'), /needs key=/);
  assert.throws(() => parseIgnoreCache('key=<ip>, maxcount=1'), /unknown setting "maxcount"/);
});

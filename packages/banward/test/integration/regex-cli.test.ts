import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BANWARD_BIN } from '../compat/_sample-suite.js';

const NOW = '2026-11-22T12:00:00Z';

function banward(...args: string[]) {
  const r = spawnSync(process.execPath, [BANWARD_BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const dir = mkdtempSync(join(tmpdir(), 'banward-regex-'));
const authLog = join(dir, 'auth.log');
writeFileSync(authLog, [
  'Nov 22 10:00:01 web1 sshd[101]: Failed password for invalid user bob from 203.0.113.5 port 4242 ssh2',
  '# a comment line is skipped',
  'Nov 22 10:00:02 web1 sshd[102]: Accepted publickey for deploy from 198.51.100.7 port 4243 ssh2: ED25519 SHA256:x',
  'Nov 22 10:00:03 web1 sshd[103]: Failed password for root from 203.0.113.6 port 4244 ssh2',
  '',
].join('\n'));

test('regex --json: one object per tested line, in order, then the summary', () => {
  const r = banward('regex', '--json', '--now', NOW, authLog, 'sshd');
  assert.equal(r.code, 0, r.stderr);
  const [first, second, third, summary] = jsonLines(r.stdout);
  assert.deepEqual(
    { line: first!['line'], result: first!['result'], fid: first!['fid'], host: first!['host'], time: first!['time'], attempts: first!['attempts'] },
    { line: 1, result: 'matched', fid: '203.0.113.5', host: '203.0.113.5', time: Date.UTC(2026, 10, 22, 10, 0, 1) / 1000, attempts: 1 },
  );
  assert.equal((first!['captures'] as Record<string, unknown>)['user'], 'bob');
  assert.equal(second!['line'], 3);
  assert.notEqual(second!['result'], 'matched');
  assert.equal(second!['fid'], null);
  assert.equal(third!['fid'], '203.0.113.6');
  assert.deepEqual((summary!['summary'] as Record<string, unknown>)['lines'], 3);
  assert.deepEqual((summary!['summary'] as Record<string, unknown>)['matched'], 2);
});

test('regex: human report in fail2ban-regex layout, with the counts fail2ban-regex gives', () => {
  const r = banward('regex', '--config', '/etc/fail2ban', '--now', NOW, authLog, 'sshd');
  assert.equal(r.code, 0, r.stderr);
  const theirs = spawnSync('fail2ban-regex', [authLog, 'sshd'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  assert.equal(theirs.status, 0, `fail2ban-regex must be installed (Debian package fail2ban): ${theirs.stderr}`);
  for (const section of [/^Lines: .*$/m, /^Failregex: .*$/m, /^Prefregex: .*$/m, /^\|  \[\d+\] \{\^LN-BEG\}.*$/m]) {
    assert.equal(r.stdout.match(section)?.[0], theirs.stdout.match(section)?.[0]);
  }
  assert.match(r.stdout, /^Lines: 3 lines, 1 ignored, 2 matched, 0 missed$/m);
});

test('regex: a single line and a plain regex work like fail2ban-regex', () => {
  const r = banward('regex', '--json', '--now', NOW, '2026-11-22 10:00:01 login failed for 198.51.100.9', 'login failed for <HOST>$');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonLines(r.stdout)[0]!['fid'], '198.51.100.9');
});

test('regex: the seeds\' Django formats through the bundled django-auth filter', () => {
  const log = join(dir, 'django.log');
  writeFileSync(log, [
    "1763805601.123456|ERROR|Login Fail 'bob' by 203.0.113.5",
    '2025-11-22 10:00:02,899 ERROR Login failure 203.0.113.6',
    '',
  ].join('\n'));
  const r = banward('regex', '--json', '--now', NOW, log, 'django-auth');
  assert.equal(r.code, 0, r.stderr);
  const [a, b] = jsonLines(r.stdout);
  assert.deepEqual([a!['fid'], a!['time'], (a!['captures'] as Record<string, unknown>)['user']], ['203.0.113.5', 1763805601.123456, 'bob']);
  assert.deepEqual([b!['fid'], b!['time']], ['203.0.113.6', Date.UTC(2025, 10, 22, 10, 0, 2) / 1000]);
});

test('regex: an attacker-chosen user name cannot frame another address', () => {
  const line = 'Nov 22 10:00:01 web1 sshd[101]: Failed password for invalid user x from 198.51.100.9 port 22 ssh2 from 203.0.113.5 port 4242 ssh2';
  const r = banward('regex', '--json', '--now', NOW, line, 'sshd');
  const [v] = jsonLines(r.stdout);
  assert.notEqual(v!['fid'], '198.51.100.9');
});

test('regex: bad input is one line on stderr and exit code 2', () => {
  for (const args of [
    ['regex', join(dir, 'missing.log'), 'sshd'],
    ['regex', authLog, 'no-such-filter'],
    ['regex', authLog, '^(unclosed <HOST>'],
    ['regex', '--maxlines', 'x', authLog, 'sshd'],
    ['regex', authLog],
    ['regex', '--no-such-option', authLog, 'sshd'],
  ]) {
    const r = banward(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('regex: a filter with a bad regex is reported with file:line', () => {
  const config = join(dir, 'config');
  const filters = join(config, 'filter.d');
  spawnSync('mkdir', ['-p', filters]);
  writeFileSync(join(filters, 'broken.conf'), '[Definition]\nfailregex = ^ok <HOST>$\n            ^bad (unclosed <HOST>\n');
  const r = banward('regex', '--config', config, 'line', 'broken');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.conf:3: Unable to compile regular expression '\^bad \(unclosed <HOST>'/);
});

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BANWARD_BIN } from '../compat/_sample-suite.js';

function banward(...args: string[]) {
  const r = spawnSync(process.execPath, [BANWARD_BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A config whose "slow" filter has one fine failregex (line 2) and the catastrophic one (line 3).
const dir = mkdtempSync(join(tmpdir(), 'banward-backtrack-'));
const config = join(dir, 'config');
mkdirSync(join(config, 'filter.d'), { recursive: true });
const slowFilter = join(config, 'filter.d', 'slow.conf');
writeFileSync(slowFilter, '[Definition]\nfailregex = ^login failed from <HOST>$\n            ^<HOST> (\\w+\\s?)*$\n');
writeFileSync(join(config, 'filter.d', 'fine.conf'), '[Definition]\nfailregex = ^login failed from <HOST>$\n');
const log = join(dir, 'app.log');
writeFileSync(log, 'login failed from 192.0.2.1\n# comment\n192.0.2.2 hello world\n192.0.2.3 aaaa!\nnothing here\n');
const jail = (filter: string) => `[DEFAULT]\nbackend = auto\naction = log[path=${dir}/actions.log]\n\n[a]\nenabled = true\nfilter = ${filter}\nlogpath = ${log}\n\n[b]\nenabled = true\nfilter = ${filter}\nlogpath = ${log}\n`;

const WARNING = `WARNING ${slowFilter}:3: failregex can backtrack exponentially`;

test('test-config: a failregex that backtracks exponentially is a warning with file:line, once, and exit status 0', () => {
  writeFileSync(join(config, 'jail.conf'), jail('slow'));
  const r = banward('test-config', '--config', config);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^OK: configuration test is successful/m);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('WARNING'));
  assert.equal(warnings.length, 1, r.stderr); // two jails share the filter: one warning
  assert.ok(warnings[0]!.startsWith(WARNING), warnings[0]);
  assert.match(warnings[0]!, /\[BANWARD_W_REGEX_BACKTRACK\]$/);
});

test('test-config: no warning for filters without such shapes', () => {
  writeFileSync(join(config, 'jail.conf'), jail('fine'));
  const r = banward('test-config', '--config', config);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('regex: the warning on stderr with file:line, and the slowest lines in the report', () => {
  const r = banward('regex', '--config', config, log, 'slow');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.startsWith(WARNING), r.stderr);
  const section = /^\|- Slowest line\(s\):\n((?:\|  line \d+: \d+\.\d+ ms\n)+)`-$/m.exec(r.stdout);
  assert.ok(section, r.stdout);
  const lines = [...section[1]!.matchAll(/line (\d+):/g)].map((m) => Number(m[1]));
  assert.deepEqual([...lines].sort(), [1, 3, 4, 5]); // every tested line (the comment is not tested), at most 5
});

test('regex --json: summary.warnings and summary.slowest', () => {
  const r = banward('regex', '--json', '--config', config, log, 'slow');
  assert.equal(r.code, 0, r.stderr);
  const summary = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { summary: Record<string, unknown> }).summary;
  const warnings = summary['warnings'] as Array<Record<string, unknown>>;
  assert.deepEqual(warnings.map((w) => [w['code'], w['file'], w['line']]), [['BANWARD_W_REGEX_BACKTRACK', slowFilter, 3]]);
  assert.match(String(warnings[0]!['message']), /exponentially/);
  const slowest = summary['slowest'] as Array<{ line: number; ms: number }>;
  assert.equal(slowest.length, 4);
  for (const s of slowest) {
    assert.ok(Number.isInteger(s.line) && [1, 3, 4, 5].includes(s.line), JSON.stringify(s));
    assert.equal(typeof s.ms, 'number');
  }
  assert.deepEqual([...slowest].sort((x, y) => y.ms - x.ms), slowest); // slowest first
});

test('regex: a regex given on the command line is warned about without a location', () => {
  const r = banward('regex', '--json', '192.0.2.4 hi', '^<HOST> (\\w+\\s?)*$');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^WARNING failregex can backtrack exponentially/);
  const summary = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { summary: { warnings: Array<Record<string, unknown>> } }).summary;
  assert.deepEqual(summary.warnings.map((w) => [w['file'], w['line']]), [[null, null]]);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBanwardError, type ErrorCode } from '../errors.js';
import { readFilter } from './filter-reader.js';

let dir = '';
const write = (name: string, text: string): void => {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), text);
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'banward-config-'));
  write(
    'filter.d/common.conf',
    [
      '[DEFAULT]',
      'logtype = file',
      '__prefix_line = <lt_<logtype>/__prefix_line>',
      'datepattern = <lt_<logtype>/datepattern>',
      '[lt_file]',
      '__prefix_line = FILE\\s+',
      'datepattern = {^LN-BEG}',
      '[lt_journal]',
      '__prefix_line = JOURNAL\\s+',
      'datepattern = %(lt_file/datepattern)s',
    ].join('\n'),
  );
  write(
    'filter.d/demo.conf',
    [
      '[INCLUDES]', //                                    1
      'before = common.conf', //                          2
      '[Definition]', //                                  3
      'prefregex = ^%(__prefix_line)s<F-CONTENT>.+</F-CONTENT>$', // 4
      'base = ^login failed from <HOST>', //              5
      '       ^bad user <F-USER>\\S+</F-USER> from <HOST>', // 6
      'failregex = %(base)s', //                          7
      '            <mode-<mode>>', //                     8
      'mode-normal =', //                                 9
      'mode-aggressive = ^probe from <ADDR> <SKIPLINES>', // 10
      'mode = normal', //                                 11
      'ignoreregex = ^ignored <user>$', //                12
      'maxlines = 2', //                                  13
      'journalmatch = _SYSTEMD_UNIT=demo.service + _COMM=demo', // 14
      '               "_COMM=demo two"', //               15
      '[Init]', //                                        16
      'user = root', //                                   17
    ].join('\n'),
  );
  write('filter.d/demo.local', '[Definition]\nfailregex = %(known/failregex)s\n  ^local extra <HOST>\n');
  write('filter.d/badmax.conf', '[Definition]\nfailregex = x\nmaxlines = many\n');
  write('filter.d/badref.conf', '[Definition]\nfailregex = x\n  %(missing)s\n');
  write('filter.d/loop.conf', '[Definition]\nfailregex = <a>\na = <b>\nb = <a>\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a filter reads with includes, .local, %(known/…)s, modes and [Init] tags', () => {
  const f = readFilter(dir, 'demo');
  assert.equal(f.name, 'demo');
  assert.equal(f.file, join(dir, 'filter.d/demo.conf'));
  assert.deepEqual(
    f.failregex.map((r) => r.value),
    ['^login failed from <HOST>', '^bad user <F-USER>\\S+</F-USER> from <HOST>', '^local extra <HOST>'],
  );
  assert.deepEqual(f.ignoreregex.map((r) => r.value), ['^ignored root$']);
  assert.equal(f.prefregex?.value, '^FILE\\s+<F-CONTENT>.+</F-CONTENT>$');
  assert.equal(f.datepattern?.value, '{^LN-BEG}');
  assert.equal(f.maxlines, 2);
  assert.deepEqual(f.journalmatch, [['_SYSTEMD_UNIT=demo.service', '+', '_COMM=demo'], ['_COMM=demo two']]);
  assert.equal(f.options.user, 'root');
  assert.equal(f.options['known/user'], 'root');
  assert.equal(f.options.mode, 'normal');
});

test('every regex keeps the file and line it was written on', () => {
  const f = readFilter(dir, 'demo[mode=aggressive]');
  assert.deepEqual(
    f.failregex.map((r) => [r.file.slice(dir.length + 1), r.line, r.value]),
    [
      ['filter.d/demo.conf', 5, '^login failed from <HOST>'],
      ['filter.d/demo.conf', 6, '^bad user <F-USER>\\S+</F-USER> from <HOST>'],
      ['filter.d/demo.conf', 10, '^probe from <ADDR> <SKIPLINES>'],
      ['filter.d/demo.local', 3, '^local extra <HOST>'],
    ],
  );
  assert.equal(f.prefregex?.line, 4);
});

test('options from the caller and inline options: inline wins, and both beat [Init]', () => {
  const f = readFilter(dir, 'demo[user=admin]', { logtype: 'journal', user: 'nobody', mode: 'aggressive' });
  assert.equal(f.prefregex?.value, '^JOURNAL\\s+<F-CONTENT>.+</F-CONTENT>$');
  assert.equal(f.datepattern?.value, '{^LN-BEG}');
  assert.deepEqual(f.ignoreregex.map((r) => r.value), ['^ignored admin$']);
  assert.equal(f.failregex.length, 4);
});

test('a filter given as a path reads that file and its includes', () => {
  const f = readFilter('/nonexistent', join(dir, 'filter.d/demo.conf'));
  assert.equal(f.name, 'demo');
  assert.equal(f.failregex.length, 3);
});

function rejects(filter: string, code: ErrorCode, file: string | undefined, line: number | undefined, says: RegExp): void {
  assert.throws(
    () => readFilter(dir, filter),
    (e) => {
      assert.ok(isBanwardError(e), String(e));
      assert.equal(e.code, code);
      assert.equal(e.file, file && join(dir, file));
      assert.equal(e.line, line);
      assert.match(e.message, says);
      return true;
    },
  );
}

test('config mistakes are BanwardErrors with file and line', () => {
  rejects('nosuch', 'BANWARD_ERR_FILTER_NOT_FOUND', undefined, undefined, /"nosuch"/);
  rejects('badmax', 'BANWARD_ERR_CONFIG_VALUE', 'filter.d/badmax.conf', 3, /maxlines/);
  rejects('badref', 'BANWARD_ERR_CONFIG_REFERENCE', 'filter.d/badref.conf', 2, /%\(missing\)s/);
  rejects('loop', 'BANWARD_ERR_CONFIG_RECURSION', 'filter.d/loop.conf', 2, /"failregex".*<[ab]>/);
  rejects('demo[mode=x, oops]', 'BANWARD_ERR_CONFIG_SYNTAX', undefined, undefined, /unexpected/);
});

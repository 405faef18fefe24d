import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBanwardError, type ErrorCode } from '../errors.js';
import { loadConfigFiles } from './config-stack.js';
import { memoryConfigFs } from './config-fs.js';
import { getOption, getOptionEx, type ConfigStore } from './interpolation.js';

function store(files: Record<string, string>): ConfigStore {
  return loadConfigFiles(Object.keys(files), memoryConfigFs(files));
}

const get = (s: ConfigStore, section: string, name: string): string | undefined =>
  getOption(s, section, name)?.value.text;

test('%(x)s reads the section, then [DEFAULT]; %% is a literal %; ${x} is left alone', () => {
  const s = store({ '/c/a.conf': '[DEFAULT]\nb = a\n[s]\ny = 4%(b)s\nc = 100%%\ne = 5${b}\nB2 = %(Y)s\n' });
  assert.equal(get(s, 's', 'y'), '4a');
  assert.equal(get(s, 's', 'c'), '100%');
  assert.equal(get(s, 's', 'e'), '5${b}');
  assert.equal(get(s, 's', 'b2'), '4a');
});

test('%(__name__)s is the section being read, also inside a [DEFAULT] value', () => {
  const s = store({ '/c/a.conf': '[DEFAULT]\nzz = the-%(__name__)s\n[one]\nz = %(__name__)s\n[two]\nx = 1\n' });
  assert.equal(get(s, 'one', 'z'), 'one');
  assert.equal(get(s, 'one', 'zz'), 'the-one');
  assert.equal(get(s, 'two', 'zz'), 'the-two');
});

test('%(section/opt)s, %(default/opt)s and %(known/opt)s are read in the current section', () => {
  const s = store({
    '/c/a.conf': [
      '[DEFAULT]\na = def-a\nb = def-b,a:`%(a)s`\nd = def-d-b:"%(known/b)s"',
      '[jail]\na = jail-a-%(test/a)s\nb = jail-b-%(test/b)s',
      '[test]\na = test-a-%(default/a)s\nb = test-b-%(known/b)s\nx = %(test/x)s\n',
    ].join('\n'),
  });
  assert.equal(get(s, 'test', 'a'), 'test-a-def-a');
  assert.equal(get(s, 'test', 'b'), 'test-b-def-b,a:`test-a-def-a`');
  assert.equal(get(s, 'jail', 'b'), 'jail-b-test-b-def-b,a:`jail-a-test-a-def-a`');
  assert.equal(get(s, 'jail', 'd'), 'def-d-b:"def-b,a:`jail-a-test-a-def-a`"');
});

test('%(known/opt)s is the value an earlier file gave the option', () => {
  const s = store({
    '/c/f.conf': '[Definition]\nfailregex = base\n',
    '/c/f.local': '[Definition]\nfailregex = %(known/failregex)s\n            extra\n',
  });
  assert.equal(get(s, 'Definition', 'failregex'), 'base\nextra');
});

test('getOptionEx reads <sec/opt> and <known/opt> tags', () => {
  const s = store({ '/c/f.conf': '[lt_file]\nx = file-x\n[Definition]\ny = 1\n', '/c/f.local': '[Definition]\ny = 2\n' });
  assert.equal(getOptionEx(s, 'Definition', 'lt_file/x')?.value.text, 'file-x');
  assert.equal(getOptionEx(s, 'Definition', 'known/y')?.value.text, '1');
  assert.equal(getOptionEx(s, 'Definition', 'default/y'), undefined);
});

function rejects(fn: () => unknown, code: ErrorCode, line: number, says: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(isBanwardError(e), String(e));
    assert.equal(e.code, code);
    assert.equal(e.file, '/c/e.conf');
    assert.equal(e.line, line);
    assert.match(e.message, says);
    return true;
  });
}

test('an unknown reference names the reference, with file and line', () => {
  const s = store({ '/c/e.conf': '[s]\n\nfailregex = a\n   %(nope)s\n' });
  rejects(() => getOption(s, 's', 'failregex'), 'BANWARD_ERR_CONFIG_REFERENCE', 3, /%\(nope\)s/);
});

test('a reference loop stops at the depth limit and names the option', () => {
  const s = store({ '/c/e.conf': '[s]\na = %(b)s\nb = %(a)s\nx = %(s/x)s\n' });
  rejects(() => getOption(s, 's', 'a'), 'BANWARD_ERR_CONFIG_RECURSION', 2, /"a"/);
  rejects(() => getOption(s, 's', 'x'), 'BANWARD_ERR_CONFIG_RECURSION', 4, /"x"/);
});

test('a lone % is a syntax error', () => {
  const s = store({ '/c/e.conf': '[s]\na = 50% off\n' });
  rejects(() => getOption(s, 's', 'a'), 'BANWARD_ERR_CONFIG_SYNTAX', 2, /"%"/);
});

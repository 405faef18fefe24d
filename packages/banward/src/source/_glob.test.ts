import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandGlob, hasMagic, staticDir } from './_glob.js';
import { tempDir } from './_test-support.js';

test('globs expand as Python glob does: *, ?, [..], [!..], no hidden files, files only, sorted', () => {
  const dir = tempDir();
  for (const name of ['b.log', 'a.log', 'a.log.1', '.hidden.log', 'c1.log', 'c2.log']) writeFileSync(join(dir, name), '');
  mkdirSync(join(dir, 'd.log'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'x.log'), '');
  assert.deepEqual(expandGlob(join(dir, '*.log')), ['a.log', 'b.log', 'c1.log', 'c2.log'].map((n) => join(dir, n)));
  assert.deepEqual(expandGlob(join(dir, 'c[!1].log')), [join(dir, 'c2.log')]);
  assert.deepEqual(expandGlob(join(dir, '?.log*')), ['a.log', 'a.log.1', 'b.log'].map((n) => join(dir, n)));
  assert.deepEqual(expandGlob(join(dir, '.*.log')), [join(dir, '.hidden.log')]);
  assert.deepEqual(expandGlob(join(dir, '*', 'x.log')), [join(dir, 'sub', 'x.log')]);
  assert.deepEqual(expandGlob(join(dir, 'missing', '*.log')), []);
  assert.deepEqual([hasMagic('/var/log/a.log'), staticDir('/var/log/*/access.log')], [false, '/var/log']);
});

import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLines } from './line-reader.js';

test('line-reader: lines across chunk boundaries, the last line without a newline, UTF-8 split in a chunk', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'banward-lines-')), 'log');
  writeFileSync(file, 'first line\nsécond line\n\nlast');
  assert.deepEqual([...readLines(file, 1000, 3)], ['first line', 'sécond line', '', 'last']);
});

test('line-reader: a line longer than the bound is cut, the next line is intact', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'banward-lines-')), 'log');
  writeFileSync(file, `${'x'.repeat(100)}\nshort\n`);
  assert.deepEqual([...readLines(file, 10, 7)], ['x'.repeat(10), 'short']);
});

import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clipLine, MAX_LINE_LENGTH, readLines } from './line-reader.js';

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

test('issue 11: a line longer than the bound keeps its end, so a 100 KB user name cannot hide the address written after it', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'banward-lines-')), 'log');
  const line = `1733083287.5232632|ERROR|Login Fail '${'a'.repeat(100_000)}' by 203.0.113.5`;
  writeFileSync(file, `${line}
short
`);
  const [cut, next] = [...readLines(file, MAX_LINE_LENGTH, 4096)];
  assert.equal(cut!.length, MAX_LINE_LENGTH);
  assert.ok(cut!.startsWith("1733083287.5232632|ERROR|Login Fail 'aaa"));
  assert.ok(cut!.endsWith("aaa' by 203.0.113.5"));
  assert.equal(next, 'short');
  assert.equal(clipLine(line), cut);
});

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

test('line-reader: ASCII chunks read as latin1 beside UTF-8 ones give the same lines at every chunk size, split and invalid characters included', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'banward-lines-')), 'log');
  const bytes = Buffer.concat([
    Buffer.from('plain ascii line\nnext é line ends in two bytes é\n€ three-byte start\n'),
    Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x82, 0x0a, 0xf0, 0x9f, 0x98, 0x80, 0x0a]),
    Buffer.from('ascii again 203.0.113.5\nlast'),
  ]);
  writeFileSync(file, bytes);
  const whole = [...readLines(file, 1000, bytes.length + 1)];
  assert.equal(whole.length, 7);
  assert.equal(whole[1], 'next é line ends in two bytes é');
  for (let size = 1; size <= bytes.length; size++) assert.deepEqual([...readLines(file, 1000, size)], whole, `chunk size ${size}`);
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

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FdReader } from './_fd-reader.js';
import { tempDir } from './_test-support.js';

/** The reader's chunk: lines around this offset are split across two reads. */
const CHUNK = 64 * 1024;

function readAll(bytes: Buffer, encoding = 'utf-8'): string[] {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, bytes);
  const reader = FdReader.open(file, new TextDecoder(encoding));
  try {
    return reader.read().lines;
  } finally {
    reader.close();
  }
}

test('fd reader: lines whole in a read and lines split across two reads come out the same (CRLF dropped, UTF-8 kept whole)', () => {
  const line = (i: number) => `${i} login failed from 192.0.2.${i % 250} é€😀`;
  const texts: string[] = [];
  let size = 0;
  for (let i = 0; size < 3 * CHUNK; i++) {
    texts.push(line(i));
    size += Buffer.byteLength(line(i)) + (i % 3 === 0 ? 2 : 1);
  }
  const bytes = Buffer.from(texts.map((t, i) => `${t}${i % 3 === 0 ? '\r\n' : '\n'}`).join(''));
  assert.deepEqual(readAll(bytes), texts);
});

test('fd reader: a log in latin1 is decoded by its encoding on the fast path too', () => {
  assert.deepEqual(readAll(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a, 0x78, 0x0a]), 'latin1'), ['café', 'x']);
});

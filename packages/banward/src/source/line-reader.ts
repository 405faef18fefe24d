import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this are cut: a log line is attacker-controlled and must not stall matching. */
export const MAX_LINE_LENGTH = 16 * 1024;

/**
 * Reads a file as lines (without their `\n`), in bounded memory: a chunk at a time, each line cut to
 * maxLength characters. Invalid UTF-8 becomes U+FFFD rather than an error.
 */
export function* readLines(path: string, maxLength = MAX_LINE_LENGTH, chunkSize = 1 << 20): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    const decoder = new StringDecoder('utf8');
    let carry = '';
    let carryOverflow = false;
    for (;;) {
      const n = readSync(fd, buffer, 0, chunkSize, null);
      const text = n > 0 ? decoder.write(buffer.subarray(0, n)) : decoder.end();
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const piece = text.slice(start, nl);
        yield carry === '' ? clip(piece, maxLength) : clip(carry + piece, maxLength);
        carry = '';
        carryOverflow = false;
        start = nl + 1;
      }
      if (!carryOverflow) {
        carry += text.slice(start);
        if (carry.length > maxLength) { carry = carry.slice(0, maxLength); carryOverflow = true; }
      }
      if (n === 0) break;
    }
    if (carry !== '') yield carry;
  } finally {
    closeSync(fd);
  }
}

function clip(line: string, maxLength: number): string {
  return line.length > maxLength ? line.slice(0, maxLength) : line;
}

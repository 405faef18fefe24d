import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this are cut: a log line is attacker-controlled and must not stall matching. */
export const MAX_LINE_LENGTH = 64 * 1024;
/**
 * Cuts an over-long line to its start and its end, half of maxLength each. Keeping only the start let a client hide the address a
 * daemon writes last (`Login Fail '<100 KB name>' by 203.0.113.5`) and never be counted. Dropping the middle is
 * the same as the client having sent a shorter field: the parts the daemon writes around it stay in place.
 */
export function clipLine(line: string, maxLength = MAX_LINE_LENGTH): string {
  if (line.length <= maxLength) return line;
  const head = Math.ceil(maxLength / 2);
  return line.slice(0, head) + line.slice(line.length - (maxLength - head));
}

/**
 * Reads a file as lines (without their `\n`), in bounded memory: a chunk at a time, each line cut to
 * maxLength characters by clipLine. Invalid UTF-8 becomes U+FFFD rather than an error.
 */
export function* readLines(path: string, maxLength = MAX_LINE_LENGTH, chunkSize = 1 << 20): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    const decoder = new StringDecoder('utf8');
    // The decoder holds no bytes of a split character once a chunk it read ended in an ASCII byte.
    let decoderEmpty = true;
    let carry = '';
    for (;;) {
      const n = readSync(fd, buffer, 0, chunkSize, null);
      const bytes = buffer.subarray(0, n);
      let text: string;
      if (n === 0) text = decoder.end();
      // An all-ASCII chunk is the same text in latin1, which Node decodes several times faster than UTF-8.
      else if (decoderEmpty && isAscii(bytes)) text = bytes.toString('latin1');
      else {
        text = decoder.write(bytes);
        decoderEmpty = bytes[n - 1]! < 0x80;
      }
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const piece = text.slice(start, nl);
        yield clipLine(carry === '' ? piece : carry + piece, maxLength);
        carry = '';
        start = nl + 1;
      }
      // A held partial line keeps its start and its latest end, never more than twice the bound.
      carry += text.slice(start);
      if (carry.length > 2 * maxLength) carry = clipLine(carry, maxLength);
      if (n === 0) break;
    }
    if (carry !== '') yield clipLine(carry, maxLength);
  } finally {
    closeSync(fd);
  }
}


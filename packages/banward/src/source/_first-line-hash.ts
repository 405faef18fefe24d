import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';

/** How far a first line is looked at; a longer one is hashed by its start, which is just as stable. */
const MAX_PROBE = 64 * 1024;

/** MD5 as fail2ban uses it (positions stay comparable); SHA-1 where FIPS forbids MD5, as fail2ban does. */
const ALGORITHM = (() => {
  try {
    createHash('md5').update(' ').digest('hex');
    return 'md5';
  } catch {
    return 'sha1';
  }
})();

/**
 * The hash of a file's first line, newline included (fail2ban's FileContainer hash), or '' while the
 * first line is not complete yet. A changed hash at the same path means the content was replaced.
 */
export function firstLineHash(fd: number): string {
  let size = 1024;
  for (;;) {
    const buffer = Buffer.allocUnsafe(size);
    const n = readSync(fd, buffer, 0, size, 0);
    const nl = buffer.subarray(0, n).indexOf(0x0a);
    if (nl >= 0) return createHash(ALGORITHM).update(buffer.subarray(0, nl + 1)).digest('hex');
    if (n < size) return '';
    if (size >= MAX_PROBE) return createHash(ALGORITHM).update(buffer).digest('hex');
    size *= 4;
  }
}

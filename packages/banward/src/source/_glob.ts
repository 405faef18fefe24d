import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Whether a path has glob magic (`*`, `?`, `[…]`), as Python's glob sees it. */
export function hasMagic(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * One path segment's pattern as a RegExp, with Python's `fnmatch` meaning: `*`, `?`, `[abc]`,
 * `[!abc]`; a leading dot must be matched explicitly (hidden files are not globbed).
 */
function segmentRegExp(segment: string): RegExp {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) { out += '\\['; continue; }
      let body = segment.slice(i + 1, close).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = '^' + body.slice(1);
      out += `[${body}]`;
      i = close;
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Existing regular files matching an absolute pattern, sorted. A pattern without magic yields itself
 * when it is a file. Unreadable directories yield nothing rather than an error: a log directory may
 * appear later, and the caller re-expands.
 */
export function expandGlob(pattern: string): string[] {
  if (!hasMagic(pattern)) return isFile(pattern) ? [pattern] : [];
  const segments = pattern.split(sep);
  let dirs = [segments[0] === '' ? sep : segments[0]!];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') continue;
    const next: string[] = [];
    if (!hasMagic(segment)) {
      for (const d of dirs) next.push(join(d, segment));
    } else {
      const re = segmentRegExp(segment);
      const hidden = segment.startsWith('.');
      for (const d of dirs) {
        for (const name of listDir(d)) {
          if ((hidden || !name.startsWith('.')) && re.test(name)) next.push(join(d, name));
        }
      }
    }
    dirs = next;
  }
  return dirs.filter(isFile).sort();
}

/** The deepest directory of a pattern that has no magic: where new matches appear (for watching). */
export function staticDir(pattern: string): string {
  const segments = pattern.split(sep);
  const fixed: string[] = [];
  for (const s of segments.slice(0, -1)) {
    if (hasMagic(s)) break;
    fixed.push(s);
  }
  return fixed.join(sep) || sep;
}

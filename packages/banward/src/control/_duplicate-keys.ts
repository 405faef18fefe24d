const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const c = text.charCodeAt(at);
    if (c === BACKSLASH) at += 2;
    else if (c === QUOTE || Number.isNaN(c)) return at;
    else at++;
  }
}

/**
 * The first key that occurs twice in one object of `text`, which must be valid JSON (JSON.parse passed);
 * undefined when there is none. JSON.parse silently keeps the last of two equal keys, so
 * `{"command":"ping","command":"stop"}` would read as stop while a reviewer of the line sees ping.
 * One pass, no recursion: nesting costs one entry per level on an explicit stack, bounded by the line.
 */
export function findDuplicateKey(text: string): string | undefined {
  // One entry per open container: the keys seen so far in an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === QUOTE) {
      const end = endOfString(text, at);
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const raw = text.slice(at + 1, end);
        // Compare keys as JSON reads them: "comm\u0061nd" is "command".
        const key = raw.includes('\\') ? (JSON.parse(text.slice(at, end + 1)) as string) : raw;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      at = end;
    } else if (c === OPEN_OBJECT) {
      open.push(new Set());
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      open.push(null);
      expectKey = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
  return undefined;
}

/**
 * Translates the Python `re` dialect that fail2ban's date patterns are written in into a JavaScript RegExp
 * source for the `u` flag. `\w`, `\W`, `\b` and `\B` keep Python's Unicode meaning (letters and numbers of
 * any script), because fail2ban's word-boundary rules decide where a date may start.
 */

/** A translated expression: its source, flags and capturing groups in Python's numbering. */
export interface TranslatedRegex {
  source: string;
  flags: string;
  /** Name of each capturing group, by group number (index 0 unused); undefined for unnamed groups. */
  groupNames: (string | undefined)[];
}

const WORD = '\\p{L}\\p{N}_';
const WORD_CLASS = `[${WORD}]`;
// A negated class of \p{…} is very slow in V8 under the `i` flag; a lookahead plus any character is not.
const NON_WORD_CLASS = `(?:(?!${WORD_CLASS})[\\s\\S])`;
const WORD_BOUNDARY = `(?:(?<=${WORD_CLASS})(?!${WORD_CLASS})|(?<!${WORD_CLASS})(?=${WORD_CLASS}))`;
const NOT_WORD_BOUNDARY = `(?:(?<=${WORD_CLASS})(?=${WORD_CLASS})|(?<!${WORD_CLASS})(?!${WORD_CLASS}))`;
// Characters that must be escaped to stand for themselves under the `u` flag.
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

export class PythonRegexError extends Error {}

function literal(ch: string): string {
  return SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function classLiteral(ch: string): string {
  return ch === ']' || ch === '\\' || ch === '^' || ch === '-' || ch === '[' ? `\\${ch}` : ch;
}

/** Escapes that mean the same in both dialects (besides the Unicode-aware word classes). */
function commonEscape(src: string, i: number): [string, number] | null {
  const c = src[i + 1];
  if (c === undefined) throw new PythonRegexError('bad escape (end of pattern)');
  if ('nrtfv'.includes(c)) return [`\\${c}`, 2];
  if (c === 'a') return ['\\x07', 2];
  if (c === 'x') {
    const hex = src.slice(i + 2, i + 4);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new PythonRegexError(`incomplete escape \\x${hex}`);
    return [`\\x${hex}`, 4];
  }
  if (c === 'u' || c === 'U') {
    const len = c === 'u' ? 4 : 8;
    const hex = src.slice(i + 2, i + 2 + len);
    if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) throw new PythonRegexError(`incomplete escape \\${c}${hex}`);
    return [`\\u{${hex}}`, 2 + len];
  }
  if (c === '0') {
    const oct = /^[0-7]{0,2}/.exec(src.slice(i + 2))?.[0] ?? '';
    return [`\\u{${parseInt(`0${oct}`, 8).toString(16)}}`, 2 + oct.length];
  }
  return null;
}

function translateClass(src: string, start: number, ascii: boolean): [string, number] {
  let i = start + 1;
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  if (src[i] === ']') {
    out += '\\]';
    i++;
  }
  for (;;) {
    const ch = src[i];
    if (ch === undefined) throw new PythonRegexError(`unterminated character set at position ${start}`);
    if (ch === ']') return [`${out}]`, i + 1];
    if (ch === '\\') {
      const common = commonEscape(src, i);
      if (common) {
        out += common[0];
        i += common[1];
        continue;
      }
      const c = src[i + 1] as string;
      if (c === 'w') out += ascii ? '\\w' : WORD;
      else if ('dDsSW'.includes(c)) out += `\\${c}`;
      else if (c === 'b') out += '\\x08';
      else if (/[0-9A-Za-z]/.test(c)) throw new PythonRegexError(`bad escape \\${c}`);
      else out += classLiteral(c);
      i += 2;
      continue;
    }
    out += ch === '-' ? '-' : classLiteral(ch);
    i++;
  }
}

const FLAG_GROUP = /^\(\?([aiLmsux]+)\)/;
const QUANTIFIER = /^\{(\d*)(?:(,)(\d*))?\}/;

/**
 * Translates `pattern`. Leading inline flags such as `(?iu)` become RegExp flags; Python-only constructs
 * that JavaScript cannot express (conditionals, atomic groups, possessive quantifiers, scoped flags,
 * verbose mode) throw a PythonRegexError.
 */
export function translatePythonRegex(pattern: string): TranslatedRegex {
  let flags = 'u';
  let ascii = false;
  let i = 0;
  let m: RegExpExecArray | null;
  while ((m = FLAG_GROUP.exec(pattern.slice(i))) !== null) {
    for (const f of m[1] as string) {
      if (f === 'x') throw new PythonRegexError('verbose flag (?x) is not supported');
      if (f === 'a') ascii = true;
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
    }
    i += m[0].length;
  }
  const groupNames: (string | undefined)[] = [undefined];
  const seen = new Set<string>();
  let out = '';
  let canQuantify = false;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      const common = commonEscape(pattern, i);
      if (common) {
        out += common[0];
        i += common[1];
        canQuantify = true;
        continue;
      }
      const c = pattern[i + 1] as string;
      const backref = /^[1-9]\d?/.exec(pattern.slice(i + 1));
      if (backref) {
        out += `(?:\\${backref[0]})`;
        i += 1 + backref[0].length;
      } else {
        if (c === 'w') out += ascii ? '\\w' : WORD_CLASS;
        else if (c === 'W') out += ascii ? '\\W' : NON_WORD_CLASS;
        else if (c === 'b') out += ascii ? '\\b' : WORD_BOUNDARY;
        else if (c === 'B') out += ascii ? '\\B' : NOT_WORD_BOUNDARY;
        else if ('dDsS'.includes(c)) out += `\\${c}`;
        else if (c === 'A') out += '(?<![\\s\\S])';
        else if (c === 'Z') out += '(?![\\s\\S])';
        else if (/[0-9A-Za-z]/.test(c)) throw new PythonRegexError(`bad escape \\${c} at position ${i}`);
        else out += literal(c);
        i += 2;
      }
      canQuantify = true;
      continue;
    }
    if (ch === '[') {
      const [cls, next] = translateClass(pattern, i, ascii);
      out += cls;
      i = next;
      canQuantify = true;
      continue;
    }
    if (ch === '(') {
      const rest = pattern.slice(i, i + 4);
      canQuantify = false;
      if (!rest.startsWith('(?')) {
        groupNames.push(undefined);
        out += '(';
        i++;
        continue;
      }
      const named = /^\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(pattern.slice(i));
      if (named) {
        const name = named[1] as string;
        if (seen.has(name)) throw new PythonRegexError(`redefinition of group name '${name}'`);
        seen.add(name);
        groupNames.push(name);
        // Plain groups: named ones would make every match allocate a `groups` object.
        out += '(';
        i += named[0].length;
        continue;
      }
      const ref = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(pattern.slice(i));
      if (ref) {
        const number = groupNames.indexOf(ref[1] as string);
        if (number < 0) throw new PythonRegexError(`unknown group name '${ref[1]}'`);
        out += `(?:\\${number})`;
        i += ref[0].length;
        canQuantify = true;
        continue;
      }
      if (rest.startsWith('(?#')) {
        const close = pattern.indexOf(')', i);
        if (close < 0) throw new PythonRegexError('missing ), unterminated comment');
        i = close + 1;
        continue;
      }
      const head = /^\(\?(?::|=|!|<=|<!)/.exec(pattern.slice(i));
      if (!head) throw new PythonRegexError(`unsupported group syntax '${rest}' at position ${i}`);
      out += head[0];
      i += head[0].length;
      continue;
    }
    if (ch === ')') {
      out += ')';
      i++;
      canQuantify = true;
      continue;
    }
    if (ch === '{') {
      const q = QUANTIFIER.exec(pattern.slice(i));
      if (q && canQuantify && (q[1] !== '' || q[2] !== undefined)) {
        out += q[2] === undefined ? `{${q[1]}}` : `{${q[1] === '' ? '0' : q[1]},${q[3]}}`;
        i += q[0].length;
        if (pattern[i] === '+') throw new PythonRegexError('possessive quantifiers are not supported');
        canQuantify = false;
        continue;
      }
      out += '\\{';
      i++;
      canQuantify = true;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?') {
      if (pattern[i + 1] === '+') throw new PythonRegexError('possessive quantifiers are not supported');
      out += ch;
      i++;
      canQuantify = false;
      continue;
    }
    out += ch === '}' || ch === ']' ? `\\${ch}` : ch;
    i++;
    canQuantify = ch !== '|' && ch !== '^' && ch !== '$';
  }
  return { source: out, flags, groupNames };
}

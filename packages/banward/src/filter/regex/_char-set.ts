import type { CharClass, ClassItem, EscapeClass, Flags } from './_ast.js';

// Bits 0–127: the ASCII characters. Every other character is one of three symbols, as Python's Unicode
// classes see them: a space, a word character (letters, digits), anything else.
const U_SPACE = 1n << 128n;
const U_WORD = 1n << 129n;
const U_OTHER = 1n << 130n;
const ALL = (1n << 131n) - 1n;

/**
 * A set of characters, exact over ASCII and coarse beyond: enough for the question backtracking
 * analysis asks, can these two pattern positions read the same character?
 */
export class CharSet {
  static readonly EMPTY = new CharSet(0n);
  static readonly ANY = new CharSet(ALL);

  constructor(readonly bits: bigint) {}

  get isEmpty(): boolean {
    return this.bits === 0n;
  }

  union(that: CharSet): CharSet {
    return new CharSet(this.bits | that.bits);
  }

  intersect(that: CharSet): CharSet {
    return new CharSet(this.bits & that.bits);
  }

  overlaps(that: CharSet): boolean {
    return (this.bits & that.bits) !== 0n;
  }

  complement(): CharSet {
    return new CharSet(ALL & ~this.bits);
  }
}

function span(from: number, to: number): bigint {
  return ((1n << BigInt(to - from + 1)) - 1n) << BigInt(from);
}

function codeSet(code: number): bigint {
  if (code < 128) return 1n << BigInt(code);
  const char = String.fromCodePoint(code);
  return /\s/u.test(char) ? U_SPACE : /[\p{L}\p{N}_]/u.test(char) ? U_WORD : U_OTHER;
}

function rangeSet(from: number, to: number): CharSet {
  if (to < 128) return new CharSet(span(from, to));
  return new CharSet((from < 128 ? span(from, 127) : 0n) | U_SPACE | U_WORD | U_OTHER);
}

const DIGIT = new CharSet(span(48, 57) | U_WORD);
const WORD = new CharSet(span(48, 57) | span(65, 90) | span(97, 122) | span(95, 95) | U_WORD);
const SPACE = new CharSet(span(9, 13) | span(28, 32) | U_SPACE);
const LETTERS = span(65, 90);

/** `\d`, `\w`, `\s` and their negations, as Python's Unicode `str` patterns read them. */
export function escapeSet(letter: EscapeClass['letter']): CharSet {
  const base = { d: DIGIT, w: WORD, s: SPACE }[letter.toLowerCase() as 'd' | 'w' | 's'];
  return letter === letter.toLowerCase() ? base : base.complement();
}

function withCase(set: CharSet, ignoreCase: boolean): CharSet {
  if (!ignoreCase) return set;
  const upper = set.bits & LETTERS;
  const lower = set.bits & (LETTERS << 32n);
  return new CharSet(set.bits | (upper << 32n) | (lower >> 32n));
}

export function literalSet(char: string, flags: Flags): CharSet {
  return withCase(new CharSet(codeSet(char.codePointAt(0)!)), flags.ignoreCase);
}

export function dotSet(flags: Flags): CharSet {
  return flags.dotAll ? CharSet.ANY : new CharSet(ALL & ~(1n << 10n));
}

function itemSet(item: ClassItem): CharSet {
  if (item.type === 'escape') return escapeSet(item.letter);
  if (item.type === 'char') return new CharSet(codeSet(item.char.codePointAt(0)!));
  return rangeSet(item.from.codePointAt(0)!, item.to.codePointAt(0)!);
}

export function classSet(node: CharClass): CharSet {
  const set = withCase(node.items.reduce((acc, item) => acc.union(itemSet(item)), CharSet.EMPTY), node.flags.ignoreCase);
  return node.negated ? set.complement() : set;
}

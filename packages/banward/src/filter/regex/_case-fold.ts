import type { EmitMode } from './_emitter.js';

/**
 * Python's ignore-case on `str` patterns, spelt out where JavaScript's `i` flag is not used: a character
 * c matches x when lower(c) is lower(x) or one of its extra cases — the lower-case letters CPython's
 * re._casefix pairs with it, those sharing an upper case (i ı, s ſ, µ μ, σ ς, β ϐ …). That makes
 * classes of characters that match each other: the Kelvin sign is in k's (its lower case is k), ſ in s's.
 */

interface CaseTable {
  /** Each cased character's class, in ascending order; a character not here is alone in its own. */
  classOf: Map<number, readonly number[]>;
  /** Every character some class holds, in ascending order: the only ones ignore-case can add to a set. */
  cased: readonly number[];
}

// The last cased characters (Adlam) end at U+1E943.
const LAST_CASED = 0x1e943;
const CASED = /\p{Changes_When_Casemapped}/u;
const ASCII_TABLE = buildTable(0x7f);
let unicodeTable: CaseTable | undefined;

/** Simple lower case: İ is the one character whose full lower case is longer (i̇), its simple one is i. */
function lower(cp: number): number {
  return String.fromCodePoint(cp).toLowerCase().codePointAt(0)!;
}

function buildTable(last: number): CaseTable {
  const lowerOf = new Map<number, number>();
  // The lower-case letters that share an upper case are one group (their extra cases).
  const groupOfUpper = new Map<string, number[]>();
  for (let cp = 0; cp <= last; cp++) {
    if (cp === 0xd800) cp = 0xe000;
    const char = String.fromCodePoint(cp);
    if (!CASED.test(char)) continue;
    const lo = lower(cp);
    lowerOf.set(cp, lo);
    if (lo !== cp) continue;
    const upper = char.toUpperCase();
    if (upper.codePointAt(0) !== cp) groupOfUpper.set(upper, [...(groupOfUpper.get(upper) ?? []), cp]);
  }
  const groupOf = new Map<number, number>();
  for (const group of groupOfUpper.values()) for (const cp of group) groupOf.set(cp, Math.min(...group));
  const classes = new Map<number, number[]>();
  for (const [cp, lo] of lowerOf) {
    const key = groupOf.get(lo) ?? lo;
    classes.set(key, [...(classes.get(key) ?? []), cp]);
    if (!lowerOf.has(lo)) classes.get(key)!.push(lo);
  }
  const classOf = new Map<number, readonly number[]>();
  for (const members of classes.values()) {
    if (members.length < 2) continue;
    const sorted = [...new Set(members)].sort((a, b) => a - b);
    for (const cp of sorted) classOf.set(cp, sorted);
  }
  return { classOf, cased: [...classOf.keys()].sort((a, b) => a - b) };
}

function table(mode: EmitMode): CaseTable {
  return mode === 'ascii' ? ASCII_TABLE : (unicodeTable ??= buildTable(LAST_CASED));
}

/** The other characters of `cp`'s class, ascending. In 'ascii' mode (ASCII-only lines) only ASCII ones. */
export function literalCaseExtras(mode: EmitMode, cp: number): number[] {
  return (table(mode).classOf.get(cp) ?? []).filter((other) => other !== cp);
}

/** The characters ignore-case adds to the set `contains` describes, ascending. */
export function classCaseExtras(mode: EmitMode, contains: (cp: number) => boolean): number[] {
  const { classOf, cased } = table(mode);
  return cased.filter((cp) => !contains(cp) && classOf.get(cp)!.some(contains));
}

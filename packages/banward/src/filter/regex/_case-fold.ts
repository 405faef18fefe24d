import type { EmitMode } from './_emitter.js';

/**
 * Python's ignore-case on `str` patterns, spelt out for the groups JavaScript's `i` flag cannot scope:
 * a character c matches a set S when lower(c) is lower(x) for some x in S, or one of lower(x)'s extra
 * cases — the lower-case letters CPython's re._casefix pairs with it (i ı, s ſ, µ μ, σ ς, β ϐ …).
 * The Kelvin sign matches [A-Z] that way (its lower case is k), and ſ matches (?i:s).
 */

interface CaseTable {
  /** For a lower-case character, the other characters whose lower case it is. */
  preimage: Map<number, number[]>;
  extraCases: Map<number, number[]>;
  /** Every character either map names: the only ones ignore-case can add to a set. */
  cased: number[];
}

// The last cased characters (Adlam) end at U+1E943.
const LAST_CASED = 0x1e943;
const ASCII_TABLE = buildTable(0x7f);
let unicodeTable: CaseTable | undefined;

/** Simple lower case: İ is the one character whose full lower case is longer (i̇), its simple one is i. */
function lower(cp: number): number {
  return String.fromCodePoint(cp).toLowerCase().codePointAt(0)!;
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function buildTable(last: number): CaseTable {
  const preimage = new Map<number, number[]>();
  const byUpper = new Map<string, number[]>();
  for (let cp = 0; cp <= last; cp++) {
    if (cp === 0xd800) cp = 0xe000;
    const lo = lower(cp);
    if (lo !== cp) push(preimage, lo, cp);
    else {
      const upper = String.fromCodePoint(cp).toUpperCase();
      if (upper.codePointAt(0) !== cp) byUpper.set(upper, [...(byUpper.get(upper) ?? []), cp]);
    }
  }
  const extraCases = new Map<number, number[]>();
  for (const group of byUpper.values()) {
    for (const cp of group) if (group.length > 1) extraCases.set(cp, group.filter((other) => other !== cp));
  }
  const cased = new Set<number>();
  for (const map of [preimage, extraCases]) for (const [key, values] of map) for (const cp of [key, ...values]) cased.add(cp);
  return { preimage, extraCases, cased: [...cased].sort((a, b) => a - b) };
}

/**
 * The characters ignore-case adds to the set `contains` describes, in ascending order. In 'ascii' mode
 * (lines without a non-ASCII character) only ASCII letters are considered.
 */
export function caseExtras(mode: EmitMode, contains: (cp: number) => boolean): number[] {
  const table = mode === 'ascii' ? ASCII_TABLE : (unicodeTable ??= buildTable(LAST_CASED));
  const lowerInSet = (lo: number): boolean => contains(lo) || (table.preimage.get(lo) ?? []).some(contains);
  const matches = (cp: number): boolean => {
    const lo = lower(cp);
    return lowerInSet(lo) || (table.extraCases.get(lo) ?? []).some(lowerInSet);
  };
  return table.cased.filter((cp) => !contains(cp) && matches(cp));
}

import fc from 'fast-check';
import type { Alternation, Node } from '../../src/filter/regex/_ast.js';
import { expandConditionals } from '../../src/filter/regex/_conditionals.js';
import { parsePythonPattern } from '../../src/filter/regex/_parser.js';
import { hasBackreference } from '../../src/filter/regex/python-regex.js';
import { patternWidth } from '../../src/filter/regex/_width.js';

/** Python `re` patterns from a grammar of what fail2ban filters use, and subjects they may meet. */

// Every character is in the BMP, so Python's code-point offsets equal JavaScript's UTF-16 offsets.
// İ, ı, ſ and the Kelvin sign fold differently under ignore-case (Python's lower() and its fix-ups against
// ECMAScript's simple case folding); they are subjects only.
const LETTERS = ['a', 'b', 'A', 'B', 'k', 's', 'i', 'I', '_', '1', '9', 'é', 'É', 'ß', '٣', 'ⅷ', 'µ', 'Σ', 'ς', 'σ'];
const SUBJECT_ONLY = ['ſ', '\u212a', 'İ', 'ı'];
const OTHERS = [' ', '-', ':', '.', '\n', '\r', '\t', '\u00a0', '\u2028', '\x1c', '"', "'", '/'];
const NAMES = ['n', 'm', 'h'];

const literal = fc.oneof(
  fc.constantFrom(...LETTERS),
  fc.constantFrom(' ', '-', ':', '/', '"', "'", '\\.', '\\-', '\\n', '\\t', '\\x41', '\\u00e9', '\\:', '\\ ', '\\\\', '\\['),
);
const classItem = fc.oneof(
  fc.constantFrom(...LETTERS.filter((c) => c !== '-')),
  fc.constantFrom('a-c', 'A-Z', '0-9', 'à-ÿ', '\\w', '\\W', '\\d', '\\D', '\\s', '\\S', ' ', '.', '\\]', '\\-', '\\n', '^'),
);
const charClass = fc
  .tuple(fc.boolean(), fc.array(classItem, { minLength: 1, maxLength: 4 }))
  .map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`);
const special = fc.constantFrom('\\w', '\\W', '\\d', '\\D', '\\s', '\\S', '\\b', '\\B', '.', '^', '$', '\\A', '\\Z');
const quantifier = fc.constantFrom('*', '+', '?', '{2}', '{1,2}', '{0,1}', '{2,}', '{,2}', '*?', '+?', '??', '{1,2}?', '*+', '++', '{3,1}');
const FLAGS = ['i', 's', 'm', 'x', 'i-s', '-i', 's-i', 'im'];

const { pattern } = fc.letrec<{ pattern: string; seq: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    charClass,
    special,
    fc.constantFrom(...NAMES).map((n) => `(?P=${n})`),
    fc.constantFrom('\\1', '\\2'),
    tie('pattern').map((p) => `(${p})`),
    tie('pattern').map((p) => `(?:${p})`),
    fc.tuple(fc.constantFrom(...NAMES), tie('pattern')).map(([n, p]) => `(?P<${n}>${p})`),
    fc.tuple(fc.constantFrom('=', '!', '<=', '<!'), tie('pattern')).map(([k, p]) => `(?${k}${p})`),
    fc.tuple(fc.constantFrom(...FLAGS), tie('pattern')).map(([f, p]) => `(?${f}:${p})`),
    fc.tuple(fc.constantFrom(...NAMES, '1'), tie('seq'), fc.option(tie('seq'))).map(([n, y, no]) => `(?(${n})${y}${no === null ? '' : `|${no}`})`),
    tie('pattern').map((p) => `(?>${p})`),
  ),
  seq: fc
    .array(fc.tuple(tie('atom'), fc.option(quantifier, { freq: 3 })), { maxLength: 4 })
    .map((parts) => parts.map(([a, q]) => a + (q ?? '')).join('')),
  pattern: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((b) => b.join('|')),
}));

export const fullPattern = fc
  .tuple(fc.option(fc.constantFrom('(?i)', '(?s)', '(?m)', '(?x)', '(?is)'), { freq: 4 }), pattern)
  .map(([f, p]) => (f ?? '') + p)
  .filter((p) => p.length <= 60);
export const subject = fc
  .array(fc.constantFrom(...LETTERS, ...SUBJECT_ONLY, ...OTHERS), { maxLength: 14 })
  .map((cs) => cs.join(''));


/**
 * Where banward knowingly differs from Python, the case is left out (and said why):
 * - a global (?i) turned off in a group, `(?i)…(?-i:…)`: banward refuses it (BANWARD_ERR_REGEX) when the
 *   pattern has a backreference, which needs JavaScript's `i` flag;
 * - a global (?i) with a backreference on a subject holding İ or ı: that flag folds them as ECMAScript
 *   does (each only itself), Python's lower() takes İ for i and pairs ı with i;
 * - a repeated part that can match empty, `(a|)*`, `(?:|a)+`, `(?:a*?)+`: Python ends the loop after an
 *   empty iteration and keeps its captures; JavaScript (ECMAScript's RepeatMatcher) refuses the empty
 *   iteration, drops its captures and backtracks into it for a longer one;
 * - a possessive repeat of a group, `(?:a*?b)++`: Debian 12's CPython 3.11.2 matches past what the group
 *   allows (` ßµak` for `(?:\w*?[sa ]{1,2})++`), a bug later 3.11 releases fixed; banward agrees with those;
 * - a conditional on a group that closes after it, `(?(1)|() )`: Python tests the group as it stands at the
 *   conditional (unset); banward's variants ask whether the group takes part in the match at all.
 */
export function knownDivergence(pattern: string, subjects: readonly string[] = []): string | null {
  let parsed;
  try {
    parsed = parsePythonPattern(pattern);
  } catch {
    return null;
  }
  if (parsed.globalFlags.ignoreCase && hasBackreference(parsed.root)) {
    if (/\(\?[a-zA-Z]*-[a-z]*i/.test(pattern)) return 'global (?i) turned off in a group';
    if (subjects.some((s) => /[İı]/.test(s))) return 'global (?i) with a backreference, on İ or ı';
  }
  let emptyIteration = false;
  let possessiveGroup = false;
  let forwardConditional = false;
  const closed = new Set<number>();
  const visit = (node: Node): void => {
    if (node.type === 'alternation') for (const b of node.branches) for (const n of b) visit(n);
    else if (node.type === 'group') {
      visit(node.body);
      if (node.index !== undefined) closed.add(node.index);
    } else if (node.type === 'conditional') {
      if (!closed.has(node.ref)) forwardConditional = true;
      for (const n of [...node.yes, ...node.no]) visit(n);
    }
    else if (node.type === 'quantified') {
      const inner: Alternation = { type: 'alternation', branches: [[node.node]] };
      if (node.max > node.min && patternWidth(inner, () => [0, Infinity])[0] === 0) emptyIteration = true;
      if (node.possessive && node.node.type === 'group') possessiveGroup = true;
      visit(node.node);
    }
  };
  visit(parsed.root);
  if (possessiveGroup) return 'a possessive repeat of a group (CPython 3.11.2 bug)';
  if (forwardConditional) return 'a conditional on a group that closes after it';
  return emptyIteration ? 'a repeated part that can match empty' : null;
}

/**
 * True when banward runs the pattern as several variants (conditional groups, backreferences to groups
 * that may not take part). At one start the variants are tried in a fixed order (group present first),
 * which need not be the order Python's backtracking prefers: there only match and start are compared.
 */
export function runsAsVariants(pattern: string): boolean {
  try {
    return expandConditionals(parsePythonPattern(pattern)).length > 1;
  } catch {
    return false;
  }
}

import { BanwardError } from '../../errors.js';
import type { Alternation, Flags, Node } from './_ast.js';
import { expandConditionals } from './_conditionals.js';
import { Emitter, type EmitMode } from './_emitter.js';
import { parsePythonPattern, PatternSyntaxError } from './_parser.js';
import { numberGroups } from './_numbered-groups.js';
import { requiredLiteral, type RequiredLiteral } from './_required-literal.js';
import { patternWidth } from './_width.js';

export type GroupValues = Record<string, string | undefined>;

export interface PythonMatch {
  /** Offset of the match in the searched text. */
  start: number;
  end: number;
  /** Python's groupdict(), without the groups that did not take part (absent, rather than None). */
  groups: GroupValues;
}

/** Every character below U+0080. Counting UTF-8 bytes natively is twice as quick as a regex's scan. */
export function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/**
 * A Python `re` pattern compiled for JavaScript with Python's semantics: `.` stops only at `\n`, `$`
 * allows a final newline, `\w`/`\d`/`\s`/`\b` are Unicode-aware, conditional groups and scoped flags work.
 * Two compilations are kept: lines that are pure ASCII (nearly all log lines) run the cheaper one.
 */
export class PythonRegex {
  readonly pattern: string;
  /** Python group names defined by the pattern. */
  readonly groupNames: ReadonlySet<string>;
  /** Text every match contains (text '' when none): a line without it cannot match. */
  readonly literal: RequiredLiteral;
  private readonly ascii: Compilation;
  private unicodeCompilation: Compilation | undefined;
  private readonly buildUnicode: () => Compilation;

  constructor(pattern: string, options: { multiline?: boolean } = {}) {
    this.pattern = pattern;
    let compiled;
    try {
      compiled = compile(pattern, { multiline: options.multiline ?? false });
    } catch (error) {
      const reason = error instanceof PatternSyntaxError || error instanceof SyntaxError ? error.message : String(error);
      throw new BanwardError('BANWARD_ERR_REGEX', `Unable to compile regular expression '${pattern}': ${reason}`, { cause: error });
    }
    this.literal = compiled.literal;
    this.ascii = compiled.ascii;
    this.buildUnicode = compiled.buildUnicode;
    this.groupNames = new Set(compiled.ascii.named.map(([py]) => py));
  }

  /** The compilation for text with non-ASCII characters, built on first use (most logs have none). */
  private get unicode(): Compilation {
    return (this.unicodeCompilation ??= this.buildUnicode());
  }

  /** JavaScript source of the compilation used for ASCII text (for debugging output). */
  get jsSource(): string {
    return this.ascii.re.source;
  }

  /** Flags of that compilation. */
  get jsFlags(): string {
    return this.ascii.re.flags;
  }

  /** False when the text lacks the literal every match needs: a cheap test before the regex runs. */
  mayMatch(text: string): boolean {
    const { text: literal, atStart } = this.literal;
    return literal === '' || (atStart ? text.startsWith(literal) : text.includes(literal));
  }

  /**
   * Python's `re.search`: the leftmost match anywhere in the text. `ascii` may be passed when the caller
   * already knows whether the text is pure ASCII (it searches one buffer with many patterns).
   */
  search(text: string, ascii = isAscii(text)): PythonMatch | null {
    if (!this.mayMatch(text)) return null;
    const compilation = ascii ? this.ascii : this.unicode;
    const m = compilation.re.exec(text);
    if (m === null) return null;
    const groups: GroupValues = {};
    for (const [py, numbers] of compilation.named) {
      let value = m[numbers[0]!];
      for (let i = 1; value === undefined && i < numbers.length; i++) value = m[numbers[i]!];
      if (value !== undefined) groups[py] = value;
    }
    let end = m.index + m[0].length;
    for (const number of compilation.eolGroups) end -= m[number]?.length ?? 0;
    return { start: m.index, end, groups };
  }

  /** True when the pattern matches somewhere in the text (no captures are built). */
  test(text: string, ascii = isAscii(text)): boolean {
    if (!this.mayMatch(text)) return false;
    return (ascii ? this.ascii : this.unicode).re.test(text);
  }
}

export interface NumberedPattern {
  readonly ascii: RegExp;
  readonly unicode: RegExp;
  /** Python group name by group number (index 0 unused); undefined for unnamed groups. */
  groupNames: Array<string | undefined>;
  /**
   * How many characters every match has after group 1 ends, when that is fixed (`\[(…)\]` → 1,
   * lookaheads count 0); null when it varies or group 1 is not a term of the pattern's only branch.
   */
  firstGroupTail: number | null;
}

function fixedTailAfterFirstGroup(root: Alternation): number | null {
  if (root.branches.length !== 1) return null;
  const seq = root.branches[0]!;
  const at = seq.findIndex((n) => n.type === 'group' && n.kind === 'capture' && n.index === 1);
  if (at < 0) return null;
  const [min, max] = patternWidth({ type: 'alternation', branches: [seq.slice(at + 1)] }, () => [0, Infinity]);
  return min === max ? min : null;
}

/**
 * Compiles a Python pattern for callers that read groups by number (date templates): JavaScript's
 * group numbers are Python's. Conditional and atomic groups, which would renumber them, are refused
 * with a PatternSyntaxError. `extraFlags` adds JavaScript flags such as `g` or `d`.
 */
export function compileNumberedPattern(pattern: string, extraFlags = ''): NumberedPattern {
  const parsed = parsePythonPattern(pattern);
  if (expandConditionals(parsed).length > 1) throw new PatternSyntaxError('conditional groups are not supported here', 0);
  const ignoreCase = parsed.globalFlags.ignoreCase ? 'i' : '';
  const build = (mode: EmitMode): RegExp =>
    new RegExp(new Emitter(mode, ignoreCase !== '', '', true).emit(parsed.root), (mode === 'unicode' ? 'u' : '') + ignoreCase + extraFlags);
  const groupNames: Array<string | undefined> = Array.from({ length: parsed.groupCount + 1 }, () => undefined);
  for (const [name, index] of parsed.groupIndex) groupNames[index] = name;
  let unicode: RegExp | undefined;
  return {
    ascii: build('ascii'),
    // Built on first use: most logs never have a non-ASCII line.
    get unicode() { return (unicode ??= build('unicode')); },
    groupNames,
    firstGroupTail: fixedTailAfterFirstGroup(parsed.root),
  };
}

/** One JavaScript compilation, its captures read by number. */
interface Compilation {
  re: RegExp;
  /** Each Python group name with the JavaScript groups that stand for it (one per conditional variant). */
  named: ReadonlyArray<readonly [py: string, numbers: readonly number[]]>;
  /** Groups that hold the final newline a trailing `$` consumed (the match ends before it). */
  eolGroups: readonly number[];
}

interface Compiled {
  literal: RequiredLiteral;
  ascii: Compilation;
  buildUnicode: () => Compilation;
}

/** True when the pattern compares against a group's text (a conditional may expand to one). */
export function hasBackreference(node: Node | Alternation): boolean {
  switch (node.type) {
    case 'backreference': return true;
    case 'alternation': return node.branches.some((b) => b.some(hasBackreference));
    case 'group': return hasBackreference(node.body);
    case 'quantified': return hasBackreference(node.node);
    case 'conditional': return true;
    default: return false;
  }
}

function compile(pattern: string, initial: Partial<Flags>): Compiled {
  const parsed = parsePythonPattern(pattern, initial);
  const variants = expandConditionals(parsed);
  // Letters spelt as their case classes ([aA], [kKK]) match as Python's re does, where JavaScript's i
  // flag folds İ and ı differently, and keep ASCII regexes open to V8's linear-time fallback (which takes
  // no i flag); only a backreference, which must compare case-blind, needs the real flag.
  const emulateCase = !hasBackreference(parsed.root);
  const build = (mode: EmitMode): Compilation => {
    const ignoreCase = parsed.globalFlags.ignoreCase && !emulateCase;
    const named: Array<[string, string]> = [];
    const eolGroups: string[] = [];
    const sources = variants.map((root, i) => {
      const emitter = new Emitter(mode, ignoreCase, variants.length > 1 ? `__v${i}` : '');
      const source = emitter.emit(root);
      for (const g of emitter.groups) if (g.name !== undefined) named.push([g.js, g.name]);
      eolGroups.push(...emitter.eolGroups);
      return source;
    });
    const source = sources.length > 1 ? sources.map((s) => `(?:${s})`).join('|') : sources[0]!;
    const flags = (mode === 'unicode' ? 'u' : '') + (ignoreCase ? 'i' : '');
    const numbered = numberGroups(source);
    const number = (js: string): number => numbered.numbers.get(js)!;
    const byName = new Map<string, number[]>();
    for (const [js, py] of named) byName.set(py, [...(byName.get(py) ?? []), number(js)]);
    return { re: new RegExp(numbered.source, flags), named: [...byName], eolGroups: eolGroups.map(number) };
  };
  return { literal: requiredLiteral(parsed.root), ascii: build('ascii'), buildUnicode: () => build('unicode') };
}

export { backtrackRisk, POLYNOMIAL_WARNING_DEGREE, type BacktrackRisk } from './_backtrack-risk.js';

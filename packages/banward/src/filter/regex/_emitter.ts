import type { Alternation, CharClass, ClassItem, Flags, Node, Sequence } from './_ast.js';
import { classCaseExtras, literalCaseExtras } from './_case-fold.js';
import { PatternSyntaxError } from './_parser.js';

/**
 * 'ascii' output is only ever run on lines without a non-ASCII character, where JavaScript's own `\w`,
 * `\d` and `\b` agree with Python's; 'unicode' output spells out Python's Unicode classes (needs flag u).
 */
export type EmitMode = 'ascii' | 'unicode';

export interface EmittedGroup {
  /** The group's name in the JavaScript pattern. */
  js: string;
  /** The Python group name; undefined for an unnamed group. */
  name: string | undefined;
  index: number;
}

const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/');
const CLASS_SPECIAL = new Set('\\]^-[');
const PY_SPACE = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const ASCII_SPACE = '\\t-\\r\\x1c-\\x20';
const UNI_WORD = '\\p{L}\\p{N}_';

const CLASS_BODY: Record<EmitMode, Record<string, string>> = {
  ascii: { d: '\\d', D: '\\D', w: '\\w', W: '\\W', s: ASCII_SPACE, S: '\\S' },
  unicode: { d: '\\p{Nd}', D: '\\P{Nd}', w: UNI_WORD, W: '\\W', s: PY_SPACE, S: '\\S' },
};
/** Negated escapes whose JavaScript class escape differs from Python's, with the set they negate. */
const NEGATED_ESCAPE: Record<EmitMode, Record<string, string>> = {
  ascii: { S: ASCII_SPACE },
  unicode: { W: UNI_WORD, S: PY_SPACE },
};
const STANDALONE: Record<EmitMode, Record<string, string>> = {
  ascii: { d: '\\d', D: '\\D', w: '\\w', W: '\\W', s: `[${ASCII_SPACE}]`, S: `[^${ASCII_SPACE}]` },
  unicode: {
    d: '\\p{Nd}', D: '\\P{Nd}', w: `[${UNI_WORD}]`, W: `[^${UNI_WORD}]`, s: `[${PY_SPACE}]`, S: `[^${PY_SPACE}]`,
  },
};

function escapeChar(ch: string, inClass: boolean): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (inClass ? CLASS_SPECIAL.has(ch) : SYNTAX_CHARS.has(ch)) return `\\${ch}`;
  return ch;
}

/** Code points as class ranges: 97,98,99,107 → `a-ck`. */
function classRanges(cps: readonly number[]): string {
  let out = '';
  for (let i = 0; i < cps.length; i++) {
    let j = i;
    while (j + 1 < cps.length && cps[j + 1] === cps[j]! + 1) j++;
    const esc = (cp: number): string => escapeChar(String.fromCodePoint(cp), true);
    out += j > i ? `${esc(cps[i]!)}-${esc(cps[j]!)}` : esc(cps[i]!);
    i = j;
  }
  return out;
}

function itemContains(item: ClassItem, cp: number): boolean {
  if (item.type === 'char') return item.char.codePointAt(0) === cp;
  return item.type === 'range' && item.from.codePointAt(0)! <= cp && cp <= item.to.codePointAt(0)!;
}

export class Emitter {
  readonly groups: EmittedGroup[] = [];
  /** Groups that hold the final newline a trailing `$` consumed (the match ends before it). */
  readonly eolGroups: string[] = [];
  private helperCount = 0;

  /**
   * `numbered`: capture groups stay plain `(…)` so JavaScript's group numbers are Python's; constructs
   * that would need helper groups (atomic groups, possessive quantifiers) are then refused.
   */
  constructor(
    private readonly mode: EmitMode,
    private readonly globalIgnoreCase: boolean,
    private readonly suffix: string,
    private readonly numbered = false,
  ) {}

  emit(root: Alternation): string {
    return root.branches.map((b) => this.topBranch(b)).join('|');
  }

  /**
   * Python's `$` is a lookahead for `\n?` at the end, and a lookaround keeps V8 from rerunning a regex
   * that backtracks too much on its linear-time engine. At the end of the pattern the newline can be
   * consumed instead, into a group whose length the match's end leaves out: the same matches, the same
   * groups, and no lookaround.
   */
  private topBranch(seq: Sequence): string {
    const last = seq[seq.length - 1];
    if (this.numbered || last?.type !== 'anchor' || last.kind !== 'end' || last.flags.multiline) return this.sequence(seq);
    const name = `__eol${this.eolGroups.length}${this.suffix}`;
    this.eolGroups.push(name);
    return `${this.sequence(seq.slice(0, -1))}(?<${name}>\\n?)$`;
  }

  private alternation(alt: Alternation): string {
    return alt.branches.map((b) => this.sequence(b)).join('|');
  }

  private sequence(seq: Sequence): string {
    return seq.map((n) => this.node(n)).join('');
  }

  private node(node: Node): string {
    switch (node.type) {
      case 'alternation': return `(?:${this.alternation(node)})`;
      case 'group': return this.group(node);
      case 'quantified': return this.quantified(node);
      case 'literal': return this.literal(node.char, node.flags);
      case 'class': return this.charClass(node);
      case 'escape-class': return STANDALONE[this.mode][node.letter]!;
      case 'dot': return node.flags.dotAll ? '[\\s\\S]' : '[^\\n]';
      case 'anchor': return this.anchor(node.kind, node.flags);
      case 'backreference': return this.numbered ? `(?:\\${node.ref})` : `\\k<${this.groupName(node.ref)}>`;
      case 'conditional': throw new PatternSyntaxError('conditional group left unexpanded', 0);
    }
  }

  private checkFlags(flags: Flags): void {
    if (this.globalIgnoreCase && !flags.ignoreCase) {
      throw new PatternSyntaxError('turning ignore-case off inside a group is not supported', 0);
    }
  }

  private group(node: Extract<Node, { type: 'group' }>): string {
    this.checkFlags(node.flags);
    const body = this.alternation(node.body);
    switch (node.kind) {
      case 'capture': {
        const js = this.groupName(node.index!);
        this.groups.push({ js, name: node.name, index: node.index! });
        return this.numbered ? `(${body})` : `(?<${js}>${body})`;
      }
      case 'noncapture': return `(?:${body})`;
      case 'lookahead': return `(?=${body})`;
      case 'negative-lookahead': return `(?!${body})`;
      case 'lookbehind': return `(?<=${body})`;
      case 'negative-lookbehind': return `(?<!${body})`;
      case 'atomic': return this.atomic(body);
    }
  }

  /** An atomic group: a lookahead never backtracks into, and the backreference consumes what it saw. */
  private atomic(body: string): string {
    if (this.numbered) throw new PatternSyntaxError('atomic groups and possessive quantifiers are not supported here', 0);
    const name = `__atomic${++this.helperCount}${this.suffix}`;
    return `(?=(?<${name}>${body}))\\k<${name}>`;
  }

  private groupName(index: number): string {
    return `__g${index}${this.suffix}`;
  }

  private quantified(node: Extract<Node, { type: 'quantified' }>): string {
    let inner = this.node(node.node);
    const t = node.node.type;
    if (t === 'anchor' || (t === 'group' && node.node.kind !== 'capture' && node.node.kind !== 'noncapture')
      || (t === 'literal' && node.node.char.length > 1)) {
      inner = `(?:${inner})`;
    }
    let q: string;
    if (node.min === 0 && node.max === Infinity) q = '*';
    else if (node.min === 1 && node.max === Infinity) q = '+';
    else if (node.min === 0 && node.max === 1) q = '?';
    else if (node.max === Infinity) q = `{${node.min},}`;
    else if (node.min === node.max) q = `{${node.min}}`;
    else q = `{${node.min},${node.max}}`;
    if (node.lazy) q += '?';
    return node.possessive ? this.atomic(inner + q) : inner + q;
  }

  private literal(ch: string, flags: Flags): string {
    if (flags.ignoreCase && !this.globalIgnoreCase) {
      const cp = ch.codePointAt(0)!;
      const extras = literalCaseExtras(this.mode, cp);
      if (extras.length > 0) return `[${escapeChar(ch, true)}${classRanges(extras)}]`;
    }
    return escapeChar(ch, false);
  }

  /**
   * A negated escape JavaScript cannot spell inside a class (Python's `\\W`, `\\S`) becomes an alternative
   * beside the class: `[a\\S]` is `(?:[a]|[^<space>])`, and `[^a\\S]` is `(?:(?![a]|[^<space>])[\\s\\S])`.
   */
  private charClass(node: CharClass): string {
    const scopedCase = node.flags.ignoreCase && !this.globalIgnoreCase;
    const outside = (item: ClassItem): boolean => item.type === 'escape' && item.letter in NEGATED_ESCAPE[this.mode];
    const parts = node.items.filter((i) => !outside(i)).map((item) => this.classItem(item));
    const extras = scopedCase ? classCaseExtras(this.mode, (cp) => node.items.some((item) => itemContains(item, cp))) : [];
    if (extras.length > 0) parts.push(classRanges(extras));
    const split = node.items.filter(outside).map((i) => `[^${NEGATED_ESCAPE[this.mode][(i as { letter: string }).letter]}]`);
    if (split.length === 0) return `[${node.negated ? '^' : ''}${parts.join('')}]`;
    const alternatives = [...(parts.length > 0 ? [`[${parts.join('')}]`] : []), ...split].join('|');
    return node.negated ? `(?:(?!${alternatives})[\\s\\S])` : `(?:${alternatives})`;
  }

  private classItem(item: ClassItem): string {
    const esc = (c: string): string => escapeChar(c, true);
    switch (item.type) {
      case 'escape': return CLASS_BODY[this.mode][item.letter]!;
      case 'char': return esc(item.char);
      case 'range': return `${esc(item.from)}-${esc(item.to)}`;
    }
  }

  private anchor(kind: Extract<Node, { type: 'anchor' }>['kind'], flags: Flags): string {
    switch (kind) {
      case 'start': return flags.multiline ? '(?<![^\\n])' : '^';
      case 'end': return flags.multiline ? '(?![^\\n])' : '(?=\\n?$)';
      case 'string-start': return '^';
      case 'string-end': return '$';
      case 'word-boundary':
        return this.mode === 'ascii' ? '\\b' : `(?:(?<=[${UNI_WORD}])(?![${UNI_WORD}])|(?<![${UNI_WORD}])(?=[${UNI_WORD}]))`;
      // Python's \B never matches in an empty string.
      case 'not-word-boundary':
        return '(?!^$)' + (this.mode === 'ascii' ? '\\B' : `(?:(?<=[${UNI_WORD}])(?=[${UNI_WORD}])|(?<![${UNI_WORD}])(?![${UNI_WORD}]))`);
    }
  }
}

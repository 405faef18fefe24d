import type {
  Alternation, CharClass, ClassItem, Flags, GroupKind, Node, ParsedPattern, Sequence,
} from './_ast.js';
import { patternWidth, type Width } from './_width.js';

/** Raised with the offset into the pattern; the caller turns it into a BanwardError. */
export class PatternSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
  }
}

const FLAG_LETTERS = 'aiLmsux';
const ESCAPE_CLASSES = 'dDwWsS';
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' };

function applyFlagLetters(flags: Flags, letters: string, on: boolean): Flags {
  const next = { ...flags };
  for (const letter of letters) {
    if (letter === 'i') next.ignoreCase = on;
    else if (letter === 's') next.dotAll = on;
    else if (letter === 'm') next.multiline = on;
    else if (letter === 'x') next.verbose = on;
    // a, L, u select ASCII/locale/Unicode matching; banward always matches as Python's str patterns do.
  }
  return next;
}

/** Parses a Python `re` pattern (the `str` flavour, Python 3.11) into a tree. */
export function parsePythonPattern(pattern: string, initial: Partial<Flags> = {}): ParsedPattern {
  return new Parser(pattern, initial).parse();
}

class Parser {
  private pos = 0;
  private groupCount = 0;
  private readonly groupIndex = new Map<string, number>();
  /** Width of each closed capture group; a group still open has none. */
  private readonly groupWidths = new Map<number, Width>();
  /** Inside a lookbehind: the number of the first group defined in it (Python refers to none of those). */
  private lookbehindGroups: number | undefined;
  private globalFlags: Flags;

  constructor(private readonly src: string, initial: Partial<Flags>) {
    this.globalFlags = { ignoreCase: false, dotAll: false, multiline: false, verbose: false, ...initial };
  }

  parse(): ParsedPattern {
    this.readLeadingGlobalFlags();
    const root = this.parseAlternation(this.globalFlags);
    if (this.pos < this.src.length) throw new PatternSyntaxError('unbalanced parenthesis', this.pos);
    return { root, globalFlags: this.globalFlags, groupCount: this.groupCount, groupIndex: this.groupIndex };
  }

  private readLeadingGlobalFlags(): void {
    const re = /^\(\?([aiLmsux]+)\)/;
    for (;;) {
      const m = re.exec(this.src.slice(this.pos));
      if (!m) return;
      this.globalFlags = applyFlagLetters(this.globalFlags, m[1]!, true);
      this.pos += m[0].length;
    }
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private parseAlternation(flags: Flags): Alternation {
    const branches: Sequence[] = [this.parseSequence(flags)];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.parseSequence(flags));
    }
    return { type: 'alternation', branches };
  }

  private parseSequence(flags: Flags): Sequence {
    const seq: Sequence = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') return seq;
      if (flags.verbose && this.skipVerboseSpace()) continue;
      const atom = this.parseAtom(flags);
      if (atom === null) continue;
      seq.push(this.parseQuantifier(atom, flags));
    }
  }

  private skipVerboseSpace(): boolean {
    const c = this.peek()!;
    if (/\s/.test(c)) { this.pos++; return true; }
    if (c === '#') {
      while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      return true;
    }
    return false;
  }

  private parseQuantifier(atom: Node, flags: Flags): Node {
    for (;;) {
      if (flags.verbose) while (this.pos < this.src.length && this.skipVerboseSpace()) { /* skip */ }
      const c = this.peek();
      let min: number; let max: number;
      if (c === '*') { min = 0; max = Infinity; this.pos++; }
      else if (c === '+') { min = 1; max = Infinity; this.pos++; }
      else if (c === '?') { min = 0; max = 1; this.pos++; }
      else if (c === '{') {
        const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos));
        if (!m || (m[1] === '' && m[2] === undefined)) return atom;
        min = m[1] === '' ? 0 : Number(m[1]);
        max = m[2] === undefined ? min : (m[3] === '' ? Infinity : Number(m[3]));
        if (max < min) throw new PatternSyntaxError('min repeat greater than max repeat', this.pos);
        this.pos += m[0].length;
      } else return atom;
      if (atom.type === 'quantified') throw new PatternSyntaxError('multiple repeat', this.pos - 1);
      if (atom.type === 'anchor') throw new PatternSyntaxError('nothing to repeat', this.pos - 1);
      let lazy = false; let possessive = false;
      if (this.peek() === '?') { lazy = true; this.pos++; }
      else if (this.peek() === '+') { possessive = true; this.pos++; }
      atom = { type: 'quantified', node: atom, min, max, lazy, possessive };
    }
  }

  private parseAtom(flags: Flags): Node | null {
    const start = this.pos;
    const c = this.src[this.pos++]!;
    switch (c) {
      case '(': return this.parseGroup(flags);
      case '[': return this.parseClass(flags);
      case '.': return { type: 'dot', flags };
      case '^': return { type: 'anchor', kind: 'start', flags };
      case '$': return { type: 'anchor', kind: 'end', flags };
      case '\\': return this.parseEscape(flags);
      case '*': case '+': case '?':
        throw new PatternSyntaxError('nothing to repeat', start);
      default:
        if (c === '{' && /^\d*(?:,\d*)?\}/.test(this.src.slice(this.pos)) && this.src[this.pos] !== '}') {
          throw new PatternSyntaxError('nothing to repeat', start);
        }
        return { type: 'literal', char: this.readCodePointFrom(start), flags };
    }
  }

  private readCodePointFrom(start: number): string {
    const cp = this.src.codePointAt(start)!;
    const ch = String.fromCodePoint(cp);
    this.pos = start + ch.length;
    return ch;
  }

  private parseGroup(flags: Flags): Node | null {
    const start = this.pos - 1;
    if (this.peek() !== '?') return this.finishGroup('capture', flags, undefined, start);
    this.pos++;
    const rest = this.src.slice(this.pos);
    let m: RegExpExecArray | null;
    if ((m = /^P<([A-Za-z_]\w*)>/.exec(rest))) {
      this.pos += m[0].length;
      if (this.groupIndex.has(m[1]!)) throw new PatternSyntaxError(`redefinition of group name '${m[1]}'`, start);
      return this.finishGroup('capture', flags, m[1], start);
    }
    if ((m = /^P=([A-Za-z_]\w*)\)/.exec(rest))) {
      this.pos += m[0].length;
      const ref = this.groupIndex.get(m[1]!);
      if (ref === undefined) throw new PatternSyntaxError(`unknown group name '${m[1]}'`, start);
      return this.backreference(ref, start);
    }
    if ((m = /^#[^)]*\)/.exec(rest))) { this.pos += m[0].length; return null; }
    const simple: Record<string, GroupKind> = {
      ':': 'noncapture', '=': 'lookahead', '!': 'negative-lookahead', '>': 'atomic',
    };
    if (rest[0]! in simple) { this.pos++; return this.finishGroup(simple[rest[0]!]!, flags, undefined, start); }
    if (rest.startsWith('<=')) { this.pos += 2; return this.finishGroup('lookbehind', flags, undefined, start); }
    if (rest.startsWith('<!')) { this.pos += 2; return this.finishGroup('negative-lookbehind', flags, undefined, start); }
    if ((m = /^\(([A-Za-z_]\w*|\d+)\)/.exec(rest))) {
      this.pos += m[0].length;
      return this.parseConditional(/^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]!, flags, start);
    }
    if ((m = /^([aiLmsux]*)(?:-([imsx]+))?:/.exec(rest)) && (m[1] || m[2])) {
      this.pos += m[0].length;
      const scoped = applyFlagLetters(applyFlagLetters(flags, m[1]!, true), m[2] ?? '', false);
      return this.finishGroup('noncapture', scoped, undefined, start);
    }
    if (new RegExp(`^[${FLAG_LETTERS}]+\\)`).test(rest)) {
      throw new PatternSyntaxError('global flags not at the start of the expression', start);
    }
    throw new PatternSyntaxError('unknown extension ?' + (rest[0] ?? ''), start);
  }

  private backreference(ref: number, start: number): Node {
    if (!this.groupWidths.has(ref)) throw new PatternSyntaxError('cannot refer to an open group', start);
    this.checkLookbehindReference(ref, start);
    return { type: 'backreference', ref };
  }

  private checkLookbehindReference(ref: number, start: number): void {
    if (this.lookbehindGroups === undefined) return;
    if (!this.groupWidths.has(ref)) throw new PatternSyntaxError('cannot refer to an open group', start);
    if (ref >= this.lookbehindGroups) {
      throw new PatternSyntaxError('cannot refer to group defined in the same lookbehind subpattern', start);
    }
  }

  private finishGroup(kind: GroupKind, flags: Flags, name: string | undefined, start: number): Node {
    let index: number | undefined;
    if (kind === 'capture') {
      index = ++this.groupCount;
      if (name !== undefined) this.groupIndex.set(name, index);
    }
    const lookbehind = kind === 'lookbehind' || kind === 'negative-lookbehind';
    const outerLookbehind = this.lookbehindGroups;
    if (lookbehind) this.lookbehindGroups ??= this.groupCount + 1;
    const body = this.parseAlternation(flags);
    this.lookbehindGroups = outerLookbehind;
    if (this.peek() !== ')') throw new PatternSyntaxError('missing ), unterminated subpattern', start);
    this.pos++;
    const width = patternWidth(body, (ref) => this.groupWidths.get(ref)!);
    if (index !== undefined) this.groupWidths.set(index, width);
    if (lookbehind && width[0] !== width[1]) throw new PatternSyntaxError('look-behind requires fixed-width pattern', start);
    return { type: 'group', kind, flags, body, ...(name !== undefined ? { name } : {}), ...(index !== undefined ? { index } : {}) };
  }

  private parseConditional(refText: string | number, flags: Flags, start: number): Node {
    const ref = typeof refText === 'number' ? refText : this.groupIndex.get(refText);
    if (ref === undefined) throw new PatternSyntaxError(`unknown group name '${refText}'`, start);
    this.checkLookbehindReference(ref, start);
    const body = this.parseAlternation(flags);
    if (this.peek() !== ')') throw new PatternSyntaxError('missing ), unterminated subpattern', start);
    this.pos++;
    if (body.branches.length > 2) throw new PatternSyntaxError('conditional backref with more than two branches', start);
    return { type: 'conditional', ref, yes: body.branches[0]!, no: body.branches[1] ?? [] };
  }

  private parseEscape(flags: Flags): Node {
    const start = this.pos - 1;
    const c = this.src[this.pos];
    if (c === undefined) throw new PatternSyntaxError('bad escape (end of pattern)', start);
    if (ESCAPE_CLASSES.includes(c)) { this.pos++; return { type: 'escape-class', letter: c as 'd' }; }
    const anchors: Record<string, 'string-start' | 'string-end' | 'word-boundary' | 'not-word-boundary'> = {
      A: 'string-start', Z: 'string-end', b: 'word-boundary', B: 'not-word-boundary',
    };
    if (c in anchors) { this.pos++; return { type: 'anchor', kind: anchors[c]!, flags }; }
    if (/[1-9]/.test(c)) {
      const m = /^([0-7]{3})|^(\d\d?)/.exec(this.src.slice(this.pos))!;
      if (m[1] && c <= '3') {
        this.pos += 3;
        return { type: 'literal', char: String.fromCodePoint(parseInt(m[1], 8)), flags };
      }
      const ref = Number(m[2] ?? c);
      this.pos += String(ref).length;
      if (ref > this.groupCount) throw new PatternSyntaxError(`invalid group reference ${ref}`, start);
      return this.backreference(ref, start);
    }
    return { type: 'literal', char: this.readCharEscape(start, false), flags };
  }

  /** Reads the escape after a backslash as one literal character (shared by classes and atoms). */
  private readCharEscape(start: number, inClass: boolean): string {
    const c = this.src[this.pos]!;
    if (c in CONTROL_ESCAPES) { this.pos++; return CONTROL_ESCAPES[c]!; }
    if (inClass && c === 'b') { this.pos++; return '\b'; }
    if (c === '0') {
      const m = /^0[0-7]{0,2}/.exec(this.src.slice(this.pos))!;
      this.pos += m[0].length;
      return String.fromCodePoint(parseInt(m[0], 8));
    }
    if (inClass && /[1-7]/.test(c)) {
      const m = /^[0-7]{1,3}/.exec(this.src.slice(this.pos))!;
      this.pos += m[0].length;
      return String.fromCodePoint(parseInt(m[0], 8));
    }
    const hex: Record<string, number> = { x: 2, u: 4, U: 8 };
    if (c in hex) {
      const digits = this.src.slice(this.pos + 1, this.pos + 1 + hex[c]!);
      if (!new RegExp(`^[0-9a-fA-F]{${hex[c]}}$`).test(digits)) {
        throw new PatternSyntaxError(`incomplete escape \\${c}${digits}`, start);
      }
      this.pos += 1 + hex[c]!;
      return String.fromCodePoint(parseInt(digits, 16));
    }
    if (/[A-Za-z0-9]/.test(c)) throw new PatternSyntaxError(`bad escape \\${c}`, start);
    return this.readCodePointFrom(this.pos);
  }

  private parseClass(flags: Flags): CharClass {
    const start = this.pos - 1;
    let negated = false;
    if (this.peek() === '^') { negated = true; this.pos++; }
    const items: ClassItem[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new PatternSyntaxError('unterminated character set', start);
      if (c === ']' && !first) { this.pos++; break; }
      first = false;
      const item = this.readClassAtom(start);
      if (item.type === 'char' && this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos++;
        const to = this.readClassAtom(start);
        if (to.type !== 'char') throw new PatternSyntaxError('bad character range', start);
        if (to.char.codePointAt(0)! < item.char.codePointAt(0)!) {
          throw new PatternSyntaxError(`bad character range ${item.char}-${to.char}`, start);
        }
        items.push({ type: 'range', from: item.char, to: to.char });
      } else items.push(item);
    }
    return { type: 'class', negated, items, flags };
  }

  private readClassAtom(classStart: number): ClassItem {
    if (this.peek() === '\\') {
      this.pos++;
      const c = this.peek();
      if (c === undefined) throw new PatternSyntaxError('unterminated character set', classStart);
      if (ESCAPE_CLASSES.includes(c)) { this.pos++; return { type: 'escape', letter: c as 'd' }; }
      return { type: 'char', char: this.readCharEscape(this.pos - 1, true) };
    }
    return { type: 'char', char: this.readCodePointFrom(this.pos) };
  }
}

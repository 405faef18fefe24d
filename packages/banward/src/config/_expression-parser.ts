/**
 * Tokenizer and recursive-descent parser for the Python expression subset fail2ban's
 * `bantime.formula` and time values use. It builds a tree and nothing else: no strings, no
 * subscripts, no lambdas; a dotted name (`ban.Time`, `math.exp`) is one name, so attribute access
 * exists only for names the evaluator was told about.
 *
 * Precedence (lowest first), as in Python: `x if c else y`, `or`, `and`, `not`, comparisons
 * (chained), `<<` `>>`, `+` `-`, `*` `/` `//` `%`, unary `-` `+`, `**` (right-associative, and
 * binding tighter than a unary minus on its left: `-2**2` is -4).
 */

export type Node =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'name'; name: string; pos: number }
  | { kind: 'call'; name: string; args: Node[]; pos: number }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: Node; pos: number }
  | { kind: 'binary'; op: string; left: Node; right: Node; pos: number }
  | { kind: 'logic'; op: 'and' | 'or'; left: Node; right: Node; pos: number }
  | { kind: 'compare'; first: Node; rest: { op: string; node: Node }[]; pos: number }
  | { kind: 'cond'; test: Node; then: Node; else: Node; pos: number };

interface Token {
  type: 'num' | 'name' | 'op' | 'end';
  text: string;
  pos: number;
}

/** A syntax problem at `pos` (0-based offset into the source). */
export class ParseError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

export const MAX_SOURCE_LENGTH = 1000;
const MAX_DEPTH = 60;
const KEYWORDS = new Set(['and', 'or', 'not', 'if', 'else']);
const OPERATORS = ['**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+', '-', '*', '/', '%', '<', '>', '(', ')', ',', '.'];
const NUMBER_RE = /^(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const rest = source.slice(pos);
    const space = /^\s+/.exec(rest);
    if (space) {
      pos += space[0].length;
      continue;
    }
    const num = NUMBER_RE.exec(rest);
    if (num) {
      if (NAME_RE.test(rest.slice(num[0].length))) throw new ParseError('invalid number', pos);
      tokens.push({ type: 'num', text: num[0], pos });
      pos += num[0].length;
      continue;
    }
    const name = NAME_RE.exec(rest);
    if (name) {
      tokens.push({ type: 'name', text: name[0], pos });
      pos += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new ParseError(`unexpected character ${JSON.stringify(source[pos])}`, pos);
    tokens.push({ type: 'op', text: op, pos });
    pos += op.length;
  }
  tokens.push({ type: 'end', text: '', pos });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private get peek(): Token {
    // The last token is 'end', and the parser never moves past it.
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }

  private at(text: string): boolean {
    const t = this.peek;
    return (t.type === 'op' || t.type === 'name') && t.text === text;
  }

  private take(text: string): Token {
    const t = this.peek;
    if (!this.at(text)) throw new ParseError(`expected "${text}", found ${describe(t)}`, t.pos);
    this.i++;
    return t;
  }

  parseAll(): Node {
    const node = this.expression();
    if (this.peek.type !== 'end') throw new ParseError(`unexpected ${describe(this.peek)}`, this.peek.pos);
    return node;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ParseError(`nested deeper than ${MAX_DEPTH} levels`, this.peek.pos);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private expression(): Node {
    return this.nested(() => {
      const then = this.or();
      if (!this.at('if')) return then;
      const pos = this.take('if').pos;
      const test = this.or();
      this.take('else');
      return { kind: 'cond', test, then, else: this.expression(), pos };
    });
  }

  private or(): Node {
    let left = this.and();
    while (this.at('or')) {
      const pos = this.take('or').pos;
      left = { kind: 'logic', op: 'or', left, right: this.and(), pos };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.at('and')) {
      const pos = this.take('and').pos;
      left = { kind: 'logic', op: 'and', left, right: this.not(), pos };
    }
    return left;
  }

  private not(): Node {
    if (!this.at('not')) return this.comparison();
    const pos = this.take('not').pos;
    return this.nested(() => ({ kind: 'unary', op: 'not', operand: this.not(), pos }));
  }

  private comparison(): Node {
    const first = this.binary(0);
    const rest: { op: string; node: Node }[] = [];
    while (this.peek.type === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(this.peek.text)) {
      const op = this.peek.text;
      this.i++;
      rest.push({ op, node: this.binary(0) });
    }
    return rest.length === 0 ? first : { kind: 'compare', first, rest, pos: first.pos };
  }

  private static readonly LEVELS = [['<<', '>>'], ['+', '-'], ['*', '/', '//', '%']];

  private binary(level: number): Node {
    const ops = Parser.LEVELS[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    while (this.peek.type === 'op' && ops.includes(this.peek.text)) {
      const { text: op, pos } = this.peek;
      this.i++;
      left = { kind: 'binary', op, left, right: this.binary(level + 1), pos };
    }
    return left;
  }

  private unary(): Node {
    if (this.at('-') || this.at('+')) {
      const { text, pos } = this.peek;
      this.i++;
      return this.nested(() => ({ kind: 'unary', op: text as '-' | '+', operand: this.unary(), pos }));
    }
    return this.power();
  }

  private power(): Node {
    const base = this.primary();
    if (!this.at('**')) return base;
    const pos = this.take('**').pos;
    return { kind: 'binary', op: '**', left: base, right: this.unary(), pos };
  }

  private primary(): Node {
    const t = this.peek;
    if (t.type === 'num') {
      this.i++;
      return { kind: 'num', value: Number(t.text.replace(/_/g, '')), pos: t.pos };
    }
    if (t.type === 'name' && !KEYWORDS.has(t.text)) {
      this.i++;
      let name = t.text;
      while (this.at('.')) {
        this.i++;
        const part = this.peek;
        if (part.type !== 'name') throw new ParseError(`expected a name after ".", found ${describe(part)}`, part.pos);
        name += `.${part.text}`;
        this.i++;
      }
      if (!this.at('(')) return { kind: 'name', name, pos: t.pos };
      this.take('(');
      const args: Node[] = [];
      while (!this.at(')')) {
        args.push(this.expression());
        if (!this.at(',')) break;
        this.take(',');
      }
      this.take(')');
      return { kind: 'call', name, args, pos: t.pos };
    }
    if (this.at('(')) {
      this.take('(');
      const inner = this.expression();
      this.take(')');
      return inner;
    }
    throw new ParseError(`unexpected ${describe(t)}`, t.pos);
  }
}

function describe(t: Token): string {
  return t.type === 'end' ? 'end of expression' : `"${t.text}"`;
}

/** Parses `source`; throws ParseError with the offset of the problem. */
export function parseExpression(source: string): Node {
  if (source.length > MAX_SOURCE_LENGTH) throw new ParseError(`longer than ${MAX_SOURCE_LENGTH} characters`, MAX_SOURCE_LENGTH);
  return new Parser(tokenize(source)).parseAll();
}

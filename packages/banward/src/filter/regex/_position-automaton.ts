import type { Alternation, Node, Sequence } from './_ast.js';
import { CharSet, classSet, dotSet, escapeSet, literalSet } from './_char-set.js';

/**
 * The position (Glushkov) automaton of a pattern, with multiplicities: a backtracking matcher tries a
 * transition once per way the pattern allows it (`(a*)*` reaches a→a by the inner and by the outer
 * loop), so each transition counts those ways (saturated at 2, which is all the analysis needs).
 * Zero-width assertions are transparent to transitions but can fail: after one, the rest of the
 * pattern is not "sure to succeed".
 */
export interface PositionAutomaton {
  /** What each position reads. */
  readonly sets: CharSet[];
  /** follow[p]: next position → number of ways (1 or 2). */
  readonly follow: Array<Map<number, number>>;
  /** Positions a match can start with. */
  readonly first: ReadonlyMap<number, number>;
  /** Positions after which the rest of the pattern can only succeed (it is empty, without assertions). */
  readonly sureLast: ReadonlySet<number>;
  /** Bodies of lookarounds, analysed on their own. */
  readonly lookarounds: Alternation[];
}

type Counts = Map<number, number>;

interface Fragment {
  first: Counts;
  last: Counts;
  /** Ways to match the empty string (0, 1 or 2+). */
  empty: number;
  /** Matches the empty string with no assertion that could fail. */
  sureEmpty: boolean;
  sureLast: Set<number>;
}

// A bounded repeat {m,n} is unrolled; one larger than this is read as {m,} (a loop), which only
// overstates the risk.
const MAX_UNROLL = 16;

const sat = (n: number): number => Math.min(n, 2);

function addAll(into: Counts, from: Counts, times = 1): void {
  if (times === 0) return;
  for (const [p, n] of from) into.set(p, sat((into.get(p) ?? 0) + n * times));
}

const EMPTY: Fragment = { first: new Map(), last: new Map(), empty: 1, sureEmpty: true, sureLast: new Set() };
const ASSERTION: Fragment = { ...EMPTY, sureEmpty: false };

class Builder {
  readonly sets: CharSet[] = [];
  readonly follow: Counts[] = [];
  readonly lookarounds: Alternation[] = [];

  private position(set: CharSet): Fragment {
    const p = this.sets.length;
    this.sets.push(set);
    this.follow.push(new Map());
    return { first: new Map([[p, 1]]), last: new Map([[p, 1]]), empty: 0, sureEmpty: false, sureLast: new Set([p]) };
  }

  private link(from: Counts, to: Counts): void {
    for (const [a, n] of from) {
      const row = this.follow[a]!;
      for (const [b, m] of to) row.set(b, sat((row.get(b) ?? 0) + n * m));
    }
  }

  /** Fragments are never changed once built, so a part that passes through unchanged is shared, not copied. */
  private concat(x: Fragment, y: Fragment): Fragment {
    this.link(x.last, y.first);
    let first = x.first;
    if (x.empty > 0) addAll(first = new Map(first), y.first, x.empty);
    let last = y.last;
    if (y.empty > 0) addAll(last = new Map(last), x.last, y.empty);
    let sureLast = y.sureLast;
    if (y.sureEmpty && x.sureLast.size > 0) {
      sureLast = new Set(sureLast);
      for (const p of x.sureLast) sureLast.add(p);
    }
    return { first, last, empty: sat(x.empty * y.empty), sureEmpty: x.sureEmpty && y.sureEmpty, sureLast };
  }

  sequence(seq: Sequence): Fragment {
    return seq.reduce((acc, node) => this.concat(acc, this.node(node)), EMPTY);
  }

  alternation(alt: Alternation): Fragment {
    const parts = alt.branches.map((b) => this.sequence(b));
    const first: Counts = new Map();
    const last: Counts = new Map();
    const sureLast = new Set<number>();
    for (const f of parts) {
      addAll(first, f.first);
      addAll(last, f.last);
      for (const p of f.sureLast) sureLast.add(p);
    }
    return {
      first, last, sureLast,
      empty: sat(parts.reduce((n, f) => n + f.empty, 0)),
      sureEmpty: parts.some((f) => f.sureEmpty),
    };
  }

  /** body+ : the body's fragment, its last positions linked back to its first. */
  private loop(body: Fragment): Fragment {
    this.link(body.last, body.first);
    return body;
  }

  private quantified(node: Extract<Node, { type: 'quantified' }>): Fragment {
    if (node.possessive) return this.opaque(node);
    const { min, max } = node;
    const build = (): Fragment => this.node(node.node);
    if (max === 0) return EMPTY;
    const unbounded = max === Infinity || max > MAX_UNROLL;
    const required = unbounded ? Math.min(Math.max(min - 1, 0), MAX_UNROLL) : min;
    let result = EMPTY;
    for (let i = 0; i < required; i++) result = this.concat(result, build());
    if (unbounded) {
      const tail = this.loop(build());
      // A loop that may run zero times (x* or x{0,}) or after `required` copies, one more time (x{m,}).
      result = this.concat(result, min === 0 ? this.optional(tail) : tail);
      return result;
    }
    // x{1,3} is x(?:x(?:x)?)?, not x x? x?: a counted repeat reads two characters in one way only.
    let optional = EMPTY;
    for (let i = required; i < max; i++) optional = this.optional(this.concat(build(), optional));
    return this.concat(result, optional);
  }

  private optional(f: Fragment): Fragment {
    return { ...f, empty: sat(f.empty + 1), sureEmpty: true };
  }

  /** An atomic group or a possessive repeat never gives characters back: one position that reads its set. */
  private opaque(node: Node): Fragment {
    const probe = new Builder();
    const inner = probe.node(node);
    const set = probe.sets.reduce((acc, s) => acc.union(s), CharSet.EMPTY);
    if (probe.sets.length === 0) return inner.sureEmpty ? EMPTY : ASSERTION;
    const f = this.position(set);
    return inner.empty > 0 ? this.optional(f) : f;
  }

  node(node: Node): Fragment {
    switch (node.type) {
      case 'literal': return this.position(literalSet(node.char, node.flags));
      case 'class': return this.position(classSet(node));
      case 'escape-class': return this.position(escapeSet(node.letter));
      case 'dot': return this.position(dotSet(node.flags));
      case 'anchor': return ASSERTION;
      // What a backreference reads depends on the match; as a bounded read of anything it neither
      // hides nor invents a loop.
      case 'backreference': return this.optional(this.position(CharSet.ANY));
      case 'alternation': return this.alternation(node);
      case 'quantified': return this.quantified(node);
      case 'conditional': return this.alternation({ type: 'alternation', branches: [node.yes, node.no] });
      case 'group':
        if (node.kind === 'capture' || node.kind === 'noncapture') return this.alternation(node.body);
        if (node.kind === 'atomic') return this.opaque(node.body);
        this.lookarounds.push(node.body);
        return ASSERTION;
    }
  }
}

export function buildPositionAutomaton(root: Alternation): PositionAutomaton {
  const builder = new Builder();
  const f = builder.alternation(root);
  return { sets: builder.sets, follow: builder.follow, first: f.first, sureLast: f.sureLast, lookarounds: builder.lookarounds };
}

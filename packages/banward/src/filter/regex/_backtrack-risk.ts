import type { Alternation, Flags, Sequence } from './_ast.js';
import { CharSet } from './_char-set.js';
import { expandConditionals } from './_conditionals.js';
import { parsePythonPattern } from './_parser.js';
import { buildPositionAutomaton, type PositionAutomaton } from './_position-automaton.js';

export interface BacktrackRisk {
  /**
   * `exponential`: a repeated part can read the same text in more than one way, so a line that almost
   * matches makes a backtracking matcher try exponentially many splits. `polynomial`: `degree`
   * repeats in a row can share the same characters (with the unanchored start as one), about
   * n^degree steps on an n-character line.
   */
  kind: 'exponential' | 'polynomial';
  /** The polynomial's degree; Infinity for exponential. */
  degree: number;
}

/** Polynomial risks are reported from this degree on: n² is what a plain `.*x.*` costs everywhere. */
export const POLYNOMIAL_WARNING_DEGREE = 3;

// Chains are counted only over characters of words: a run of spaces or punctuation long enough to
// hurt is rare where fail2ban's filters put their repeats (syslog prefixes, between fields).
const TEXT = new CharSet(((1n << 10n) - 1n) << 48n | ((1n << 26n) - 1n) << 65n | ((1n << 26n) - 1n) << 97n);

// Beyond this many positions in one loop, pairs are not examined (no stock filter comes near).
const MAX_LOOP_POSITIONS = 256;

/** Strongly connected components (Tarjan's algorithm, iterative), as a component number per node. */
function components(size: number, next: (n: number) => Iterable<number>): number[] {
  const index = new Array<number>(size).fill(-1);
  const low = new Array<number>(size).fill(0);
  const comp = new Array<number>(size).fill(-1);
  const stack: number[] = [];
  const onStack = new Array<boolean>(size).fill(false);
  let counter = 0;
  let compCount = 0;
  for (let root = 0; root < size; root++) {
    if (index[root] !== -1) continue;
    const work: Array<[number, Iterator<number>]> = [[root, next(root)[Symbol.iterator]()]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const [v, it] = work[work.length - 1]!;
      const step = it.next();
      if (!step.done) {
        const w = step.value;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, next(w)[Symbol.iterator]()]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) { const u = work[work.length - 1]![0]; low[u] = Math.min(low[u]!, low[v]!); }
      if (low[v] === index[v]) {
        let w: number;
        do { w = stack.pop()!; onStack[w] = false; comp[w] = compCount; } while (w !== v);
        compCount++;
      }
    }
  }
  return comp;
}

interface Loop {
  positions: number[];
  set: CharSet;
  /** Some way out of the loop can still fail, so a backtracking matcher comes back into it. */
  canFail: boolean;
}

function loopsOf(a: PositionAutomaton): { loops: Loop[]; loopOf: number[] } {
  const comp = components(a.sets.length, (p) => a.follow[p]!.keys());
  const members = new Map<number, number[]>();
  comp.forEach((c, p) => members.set(c, [...(members.get(c) ?? []), p]));
  const loops: Loop[] = [];
  const loopOf = new Array<number>(a.sets.length).fill(-1);
  for (const positions of members.values()) {
    if (positions.length === 1 && !a.follow[positions[0]!]!.has(positions[0]!)) continue;
    for (const p of positions) loopOf[p] = loops.length;
    loops.push({
      positions,
      set: positions.reduce((acc, p) => acc.union(a.sets[p]!), CharSet.EMPTY),
      canFail: positions.some((p) => !a.sureLast.has(p)),
    });
  }
  return { loops, loopOf };
}

/** Two different paths from a position back to itself read the same text (exponential ambiguity). */
function isAmbiguous(a: PositionAutomaton, loop: Loop, loopOf: number[], id: number): boolean {
  const inLoop = (p: number): boolean => loopOf[p] === id;
  // A transition the pattern allows in two ways is two paths at once.
  for (const p of loop.positions) for (const [q, n] of a.follow[p]!) if (n > 1 && inLoop(q)) return true;
  if (loop.positions.length > MAX_LOOP_POSITIONS) return false;
  const local = new Map(loop.positions.map((p, i) => [p, i]));
  const k = loop.positions.length;
  const pairNext = function* (pair: number): Generator<number> {
    const x = loop.positions[Math.floor(pair / k)]!;
    const y = loop.positions[pair % k]!;
    for (const x2 of a.follow[x]!.keys()) {
      if (!inLoop(x2)) continue;
      for (const y2 of a.follow[y]!.keys()) {
        if (inLoop(y2) && a.sets[x2]!.overlaps(a.sets[y2]!)) yield local.get(x2)! * k + local.get(y2)!;
      }
    }
  };
  const comp = components(k * k, pairNext);
  const diagonal = new Set<number>();
  for (let i = 0; i < k; i++) diagonal.add(comp[i * k + i]!);
  for (let pair = 0; pair < k * k; pair++) {
    if (Math.floor(pair / k) !== pair % k && diagonal.has(comp[pair]!)) return true;
  }
  return false;
}

/** Positions reachable from `from` through positions that can read a character of `shared`. */
function reachable(a: PositionAutomaton, from: Iterable<number>, shared: CharSet, includeStart: boolean): Set<number> {
  const seen = new Set<number>();
  const queue: number[] = [];
  for (const p of from) if (!includeStart || a.sets[p]!.overlaps(shared)) { seen.add(p); queue.push(p); }
  while (queue.length > 0) {
    const p = queue.pop()!;
    for (const q of a.follow[p]!.keys()) {
      if (!seen.has(q) && a.sets[q]!.overlaps(shared)) { seen.add(q); queue.push(q); }
    }
  }
  return seen;
}

// Above this many states, the word test between two loops of several positions is skipped (it only
// sharpens the verdict).
const MAX_TRIPLE_STATES = 200_000;

/**
 * For loops of several positions, whose characters as a set say little: is there one word w that takes
 * `from` round its loop, from `from` into `to`, and `to` round its loop (Weideman's IDA condition)? A
 * search over triples (position in `from`, any position, position in `to`) reading the same character;
 * the first component may come back to another position of `from`, which only overstates.
 */
function sharesWord(a: PositionAutomaton, from: Loop, to: Loop): boolean {
  const n = a.sets.length;
  const inFrom = new Map(from.positions.map((p, i) => [p, i]));
  const inTo = new Map(to.positions.map((p, i) => [p, i]));
  if (from.positions.length * n * to.positions.length > MAX_TRIPLE_STATES) return true;
  const key = (i: number, y: number, k: number): number => (i * n + y) * to.positions.length + k;
  const seen = new Set<number>();
  const queue: Array<[number, number, number]> = [];
  const push = (x: number, y: number, z: number): void => {
    const id = key(inFrom.get(x)!, y, inTo.get(z)!);
    if (!seen.has(id)) { seen.add(id); queue.push([x, y, z]); }
  };
  for (const p of from.positions) for (const q of to.positions) push(p, p, q);
  while (queue.length > 0) {
    const [x, y, z] = queue.pop()!;
    if (y === z) return true;
    for (const x2 of a.follow[x]!.keys()) {
      if (!inFrom.has(x2)) continue;
      for (const y2 of a.follow[y]!.keys()) {
        const xy = a.sets[x2]!.intersect(a.sets[y2]!);
        if (xy.isEmpty) continue;
        for (const z2 of a.follow[z]!.keys()) if (inTo.has(z2) && xy.overlaps(a.sets[z2]!)) push(x2, y2, z2);
      }
    }
  }
  return false;
}

/**
 * The longest chain of loops where each can hand the same characters to the next (the way `.*x.*y`
 * lets both `.*` read `x`): its length is the degree of the polynomial. `anchored` patterns start at one
 * place; the others are tried at every offset, one more loop in front.
 */
function polynomialDegree(a: PositionAutomaton, loops: Loop[], loopOf: number[], anchored: boolean): number {
  const after = loops.map((from) => loops.flatMap((to, j) => {
    const shared = from.set.intersect(to.set);
    if (to === from || !shared.overlaps(TEXT)) return [];
    const seen = reachable(a, from.positions, shared, false);
    if (!to.positions.some((p) => seen.has(p) && !from.positions.includes(p))) return [];
    const simple = from.positions.length === 1 && to.positions.length === 1;
    return simple || sharesWord(a, from, to) ? [j] : [];
  }));
  const memo = new Map<number, number>();
  const longest = (i: number): number => {
    let best = memo.get(i);
    if (best !== undefined) return best;
    best = loops[i]!.canFail ? 1 : 0;
    for (const j of after[i]!) { const rest = longest(j); if (rest > 0) best = Math.max(best, 1 + rest); }
    memo.set(i, best);
    return best;
  };
  let degree = 0;
  loops.forEach((loop, i) => {
    const chain = longest(i);
    if (chain === 0) return;
    const fromStart = !anchored && [...reachable(a, a.first.keys(), loop.set, true)].some((p) => loopOf[p] === i);
    degree = Math.max(degree, chain + (fromStart ? 1 : 0));
  });
  return degree;
}

function startsAnchored(alt: Alternation): boolean {
  const first = (seq: Sequence): boolean => {
    const node = seq[0];
    if (node?.type === 'anchor') return node.kind === 'start' || node.kind === 'string-start';
    if (node?.type === 'group' && (node.kind === 'capture' || node.kind === 'noncapture' || node.kind === 'atomic')) return startsAnchored(node.body);
    return false;
  };
  return alt.branches.every(first);
}

function analyse(root: Alternation, anchored: boolean): BacktrackRisk | null {
  const a = buildPositionAutomaton(root);
  const { loops, loopOf } = loopsOf(a);
  const inner = a.lookarounds.map((body) => analyse(body, true));
  if (inner.some((r) => r?.kind === 'exponential')) return inner.find((r) => r?.kind === 'exponential')!;
  if (loops.some((loop, id) => loop.canFail && isAmbiguous(a, loop, loopOf, id))) return { kind: 'exponential', degree: Infinity };
  const degree = Math.max(polynomialDegree(a, loops, loopOf, anchored), ...inner.map((r) => r?.degree ?? 0));
  return degree >= 2 ? { kind: 'polynomial', degree } : null;
}

/**
 * How badly a Python pattern (fail2ban's tags already resolved) can backtrack, judged from its shape:
 * null when matching time stays about linear in the line's length. Sound for the shapes that hurt in
 * practice (nested repeats over the same text, chains of `.*`), not a proof: it may overstate.
 */
export function backtrackRisk(pattern: string, initial: Partial<Flags> = {}): BacktrackRisk | null {
  const parsed = parsePythonPattern(pattern, initial);
  let worst: BacktrackRisk | null = null;
  for (const root of expandConditionals(parsed)) {
    const risk = analyse(root, startsAnchored(root));
    if (risk && (!worst || risk.degree > worst.degree)) worst = risk;
  }
  return worst;
}

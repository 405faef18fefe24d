import type { Alternation, Flags, Group, Node, ParsedPattern, Sequence } from './_ast.js';
import { PatternSyntaxError } from './_parser.js';

/**
 * JavaScript has no conditional groups (`(?(name)yes|no)`), so a pattern that uses them is expanded into
 * one variant per combination of "referenced group matched / did not match". In each variant the
 * conditional becomes its fixed branch, and the referenced group is forced to match (every optional
 * quantifier and alternation on its path is pinned) or made impossible. The variants are tried in the
 * order Python's backtracking would prefer: groups present before absent.
 */
export function expandConditionals(parsed: ParsedPattern): Alternation[] {
  const refs = collectConditionalRefs(parsed);
  if (refs.length === 0) return [parsed.root];
  if (refs.length > 4) throw new PatternSyntaxError('too many conditional groups to expand', 0);
  const variants: Alternation[] = [];
  for (let mask = 0; mask < 1 << refs.length; mask++) {
    const present = new Map(refs.map((ref, bit) => [ref, (mask & (1 << (refs.length - 1 - bit))) === 0]));
    variants.push(specialise(parsed.root, present, parsed.globalFlags) as Alternation);
  }
  return variants;
}

/**
 * The groups to expand on: those a conditional tests, and those a backreference names where the group may
 * not have taken part — Python's backreference to such a group fails, JavaScript's matches the empty
 * string, so it is Python's `(?(n)(?P=n)|(?!))`.
 */
function collectConditionalRefs(parsed: ParsedPattern): number[] {
  const refs = new Set<number>();
  walk(parsed.root, (node) => {
    if (node.type !== 'conditional') return;
    if (node.ref > parsed.groupCount) throw new PatternSyntaxError(`invalid group reference ${node.ref}`, 0);
    refs.add(node.ref);
  });
  for (const ref of unsureBackreferences(parsed.root)) refs.add(ref);
  return [...refs];
}

/** Groups named by a backreference that a match can reach without the group having been set. */
function unsureBackreferences(root: Alternation): Set<number> {
  const unsure = new Set<number>();
  const intersect = (sets: Set<number>[]): Set<number> => new Set([...sets[0]!].filter((g) => sets.every((s) => s.has(g))));
  const sequence = (seq: Sequence, before: Set<number>): Set<number> => seq.reduce((set, n) => node(n, set), before);
  const alternation = (alt: Alternation, before: Set<number>): Set<number> => intersect(alt.branches.map((b) => sequence(b, before)));
  // Returns the groups certainly set once `n` has matched, given those certainly set before it.
  const node = (n: Node, before: Set<number>): Set<number> => {
    switch (n.type) {
      case 'alternation': return alternation(n, before);
      case 'group': {
        const inside = alternation(n.body, before);
        if (n.kind === 'negative-lookahead' || n.kind === 'negative-lookbehind') return before;
        return n.index === undefined ? inside : new Set([...inside, n.index]);
      }
      case 'quantified': {
        const once = node(n.node, before);
        return n.min > 0 ? once : before;
      }
      case 'conditional': return intersect([sequence(n.yes, new Set([...before, n.ref])), sequence(n.no, before)]);
      case 'backreference':
        if (!before.has(n.ref)) unsure.add(n.ref);
        return before;
      default: return before;
    }
  };
  alternation(root, new Set());
  return unsure;
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  switch (node.type) {
    case 'alternation': for (const b of node.branches) for (const n of b) walk(n, visit); break;
    case 'group': walk(node.body, visit); break;
    case 'quantified': walk(node.node, visit); break;
    case 'conditional': for (const n of [...node.yes, ...node.no]) walk(n, visit); break;
    default: break;
  }
}

function containsGroup(node: Node, index: number): boolean {
  let found = false;
  walk(node, (n) => { if (n.type === 'group' && n.index === index) found = true; });
  return found;
}

/**
 * Copies the tree with each referenced group forced present or absent, and conditionals resolved. The
 * groups it adds carry the pattern's global flags (a global ignore-case holds in them too).
 */
function specialise(node: Node, present: Map<number, boolean>, flags: Flags): Node {
  const forcedHere = (n: Node): boolean => [...present].some(([idx, on]) => on && containsGroup(n, idx));
  const seq = (s: Sequence): Sequence => s.map((n) => specialise(n, present, flags));
  const never: Group = { type: 'group', kind: 'negative-lookahead', flags, body: { type: 'alternation', branches: [[]] } };
  switch (node.type) {
    case 'alternation': {
      const pinned = node.branches.find((b) => b.some(forcedHere));
      const branches = pinned ? [pinned] : node.branches;
      return { type: 'alternation', branches: branches.map(seq) };
    }
    case 'group':
      if (node.kind === 'capture' && present.get(node.index!) === false) return never;
      return { ...node, body: specialise(node.body, present, flags) as Alternation };
    case 'quantified': {
      const min = node.min === 0 && forcedHere(node.node) ? 1 : node.min;
      return { ...node, min, max: Math.max(min, node.max), node: specialise(node.node, present, flags) };
    }
    case 'backreference':
      return present.get(node.ref) === false ? never : node;
    case 'conditional': {
      const branch = present.get(node.ref) ? node.yes : node.no;
      return {
        type: 'group', kind: 'noncapture', flags,
        body: { type: 'alternation', branches: [seq(branch)] },
      };
    }
    default:
      return node;
  }
}

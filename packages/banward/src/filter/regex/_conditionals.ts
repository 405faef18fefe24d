import type { Alternation, Group, Node, ParsedPattern, Sequence } from './_ast.js';
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
    variants.push(specialise(parsed.root, present) as Alternation);
  }
  return variants;
}

function collectConditionalRefs(parsed: ParsedPattern): number[] {
  const refs = new Set<number>();
  walk(parsed.root, (node) => {
    if (node.type !== 'conditional') return;
    if (node.ref > parsed.groupCount) throw new PatternSyntaxError(`invalid group reference ${node.ref}`, 0);
    refs.add(node.ref);
  });
  return [...refs];
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

const NEVER: Group = {
  type: 'group', kind: 'negative-lookahead',
  flags: { ignoreCase: false, dotAll: false, multiline: false, verbose: false },
  body: { type: 'alternation', branches: [[]] },
};

/** Copies the tree with each referenced group forced present or absent, and conditionals resolved. */
function specialise(node: Node, present: Map<number, boolean>): Node {
  const forcedHere = (n: Node): boolean => [...present].some(([idx, on]) => on && containsGroup(n, idx));
  const seq = (s: Sequence): Sequence => s.map((n) => specialise(n, present));
  switch (node.type) {
    case 'alternation': {
      const pinned = node.branches.find((b) => b.some(forcedHere));
      const branches = pinned ? [pinned] : node.branches;
      return { type: 'alternation', branches: branches.map(seq) };
    }
    case 'group':
      if (node.kind === 'capture' && present.get(node.index!) === false) return NEVER;
      return { ...node, body: specialise(node.body, present) as Alternation };
    case 'quantified': {
      const min = node.min === 0 && forcedHere(node.node) ? 1 : node.min;
      return { ...node, min, max: Math.max(min, node.max), node: specialise(node.node, present) };
    }
    case 'conditional': {
      const branch = present.get(node.ref) ? node.yes : node.no;
      return {
        type: 'group', kind: 'noncapture', flags: NEVER.flags,
        body: { type: 'alternation', branches: [seq(branch)] },
      };
    }
    default:
      return node;
  }
}

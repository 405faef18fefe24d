import type { Alternation, Node, Sequence } from './_ast.js';

/** [min, max] characters a node can match; max Infinity when unbounded. */
export type Width = readonly [number, number];

/**
 * The width of a pattern part as Python's `SubPattern.getwidth()` computes it, for Python's rule that a
 * lookbehind must have a fixed width. `groupWidth` gives a closed capture group's width (backreferences).
 */
export function patternWidth(alt: Alternation, groupWidth: (index: number) => Width): Width {
  let lo = Infinity; let hi = 0;
  for (const branch of alt.branches) {
    const [l, h] = sequenceWidth(branch, groupWidth);
    lo = Math.min(lo, l); hi = Math.max(hi, h);
  }
  return [lo, hi];
}

function sequenceWidth(seq: Sequence, groupWidth: (index: number) => Width): Width {
  let lo = 0; let hi = 0;
  for (const node of seq) {
    const [l, h] = nodeWidth(node, groupWidth);
    lo += l; hi += h;
  }
  return [lo, hi];
}

function nodeWidth(node: Node, groupWidth: (index: number) => Width): Width {
  switch (node.type) {
    case 'alternation': return patternWidth(node, groupWidth);
    case 'group':
      return node.kind === 'capture' || node.kind === 'noncapture' || node.kind === 'atomic'
        ? patternWidth(node.body, groupWidth) : [0, 0];
    case 'quantified': {
      const [l, h] = nodeWidth(node.node, groupWidth);
      return [l * node.min, h === 0 ? 0 : h * node.max];
    }
    case 'literal': case 'class': case 'escape-class': case 'dot': return [1, 1];
    case 'anchor': return [0, 0];
    case 'backreference': return groupWidth(node.ref);
    case 'conditional': {
      const yes = sequenceWidth(node.yes, groupWidth);
      const no = sequenceWidth(node.no, groupWidth);
      return [Math.min(yes[0], no[0]), Math.max(yes[1], no[1])];
    }
  }
}

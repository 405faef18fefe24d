import type { Alternation, Node, Sequence } from './_ast.js';

export interface RequiredLiteral {
  text: string;
  /** The pattern starts with `^` and this text: a match must begin the searched text with it. */
  atStart: boolean;
}

const NONE: RequiredLiteral = { text: '', atStart: false };

/**
 * The longest run of literal text every match must contain (text '' when there is none worth testing),
 * so most log lines are rejected by `includes` or `startsWith` before the regex runs. Only mandatory,
 * case-sensitive literals count; zero-width assertions neither add to nor break a run.
 */
export function requiredLiteral(root: Alternation): RequiredLiteral {
  if (root.branches.length !== 1) return NONE;
  const seq = root.branches[0]!;
  const first = seq[0];
  if (first?.type === 'anchor' && (first.kind === 'string-start' || (first.kind === 'start' && !first.flags.multiline))) {
    const prefix = leadingLiteral(seq.slice(1));
    if (prefix.length >= 3) return { text: prefix, atStart: true };
  }
  const text = longestRun(seq);
  return text.length >= 3 ? { text, atStart: false } : NONE;
}

/** The case-sensitive literal characters a sequence starts with. */
function leadingLiteral(seq: Sequence): string {
  let text = '';
  for (const node of seq) {
    if (node.type !== 'literal' || node.flags.ignoreCase) break;
    text += node.char;
  }
  return text;
}

function longestRun(seq: Sequence): string {
  let best = '';
  let run = '';
  const flush = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  const visit = (seq: Sequence): void => {
    for (const node of seq) visitNode(node);
  };
  const visitNode = (node: Node): void => {
    switch (node.type) {
      case 'literal':
        if (node.flags.ignoreCase) flush();
        else run += node.char;
        return;
      case 'anchor':
        return;
      case 'group':
        if (node.kind === 'capture' || node.kind === 'noncapture' || node.kind === 'atomic') {
          if (node.body.branches.length === 1) visit(node.body.branches[0]!);
          else flush();
        } else if (node.kind !== 'lookahead' && node.kind !== 'lookbehind' && node.kind !== 'negative-lookahead' && node.kind !== 'negative-lookbehind') {
          flush();
        }
        return;
      case 'quantified':
        if (node.min >= 1 && node.node.type === 'literal' && !node.node.flags.ignoreCase) {
          run += node.node.char;
          if (node.max !== 1) flush();
          return;
        }
        flush();
        return;
      default:
        flush();
    }
  };
  visit(seq);
  flush();
  return best;
}

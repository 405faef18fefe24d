import type { Alternation, Node, Sequence } from './_ast.js';

/**
 * The longest run of literal text every match must contain, or '' when there is none worth testing.
 * `text.includes(literal)` then rejects most log lines before the regex runs. Only mandatory,
 * case-sensitive literals count; zero-width assertions neither add to nor break a run.
 */
export function requiredLiteral(root: Alternation): string {
  if (root.branches.length !== 1) return '';
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
  visit(root.branches[0]!);
  flush();
  return best.length >= 3 ? best : '';
}

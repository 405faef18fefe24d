import { backtrackRisk, POLYNOMIAL_WARNING_DEGREE, type BacktrackRisk } from './regex/python-regex.js';
import type { BanwardWarning } from '../warnings.js';
import { pythonSource } from './failregex.js';

/** A failregex as written, with where it was written when it comes from a file. */
export interface WrittenRegex {
  value: string;
  file?: string;
  line?: number;
}

function describeRisk(risk: BacktrackRisk): string {
  return risk.kind === 'exponential'
    ? 'can backtrack exponentially: a repeated part can match the same text in more than one way, so a line that almost matches can hold the matcher for seconds or hours'
    : `can backtrack polynomially (about n^${risk.degree} steps on an n-character line): ${risk.degree} repeats in a row can read the same characters`;
}

/**
 * BANWARD_W_REGEX_BACKTRACK for each failregex whose shape backtracks badly (exponentially, or
 * polynomially of degree 3 and more), once per regex however many times it is listed.
 */
export function backtrackWarnings(
  regexes: Iterable<WrittenRegex>,
  options: { multiline?: boolean; riskOf?: (pattern: string, multiline: boolean) => BacktrackRisk | null } = {},
): BanwardWarning[] {
  const riskOf = options.riskOf ?? ((pattern, multiline) => backtrackRisk(pattern, { multiline }));
  const warnings: BanwardWarning[] = [];
  const seen = new Set<string>();
  for (const regex of regexes) {
    const key = `${regex.file ?? ''}:${regex.line ?? ''}:${regex.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let risk: BacktrackRisk | null;
    try {
      risk = riskOf(pythonSource(regex.value), options.multiline ?? false);
    } catch {
      continue; // A regex that does not parse is reported by its compilation, not here.
    }
    if (risk === null || (risk.kind === 'polynomial' && risk.degree < POLYNOMIAL_WARNING_DEGREE)) continue;
    warnings.push({
      code: 'BANWARD_W_REGEX_BACKTRACK',
      message: `failregex ${describeRisk(risk)}: ${regex.value}`,
      ...(regex.file !== undefined ? { file: regex.file } : {}),
      ...(regex.line !== undefined ? { line: regex.line } : {}),
    });
  }
  return warnings;
}

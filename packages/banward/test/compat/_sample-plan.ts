import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads annotated sample logs the way fail2ban's samples test does (`# failJSON:`, `# filterOptions:`,
 * `# fileOptions:`, `# addFILE:`, `test.condition`, `constraint`) and plans, for every filter option set,
 * the exact sequence of lines that one filter instance sees, each with what it must produce.
 */

export type FailData = Record<string, unknown>;

export interface PlannedLine {
  text: string;
  /** The `# failJSON:` object; null for an unannotated line (which must simply not match). */
  expected: FailData | null;
  where: string;
}

export interface OptionSetPlan {
  /** Filter name plus its options, e.g. `sshd{"mode":"aggressive"}`: one filter instance. */
  key: string;
  filter: string;
  options: Record<string, string>;
  /** logtype journal: lines carry no time of their own. */
  journal: boolean;
  lines: PlannedLine[];
}

const ANNOTATION = /^#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)$/;

/** The few Python expressions fail2ban's sample files use as conditions. */
export function evaluateCondition(expression: string, name: string, opts: Record<string, unknown>): boolean {
  const m = /^\s*(name|opts\.get\('([\w.-]+)'\))\s*(==|!=)\s*'([^']*)'\s*$/.exec(expression);
  if (!m) throw new Error(`unsupported sample condition: ${expression}`);
  const left = m[1] === 'name' ? name : opts[m[2]!];
  return m[3] === '==' ? left === m[4] : left !== m[4];
}

export function planSamples(name: string, logsDir: string): OptionSetPlan[] {
  const plans = new Map<string, OptionSetPlan>();
  const files = [name];
  let common: Record<string, unknown> = {};
  let current: Array<{ key: string; opts: Record<string, unknown> }> | null = null;
  const planFor = (key: string, opts: Record<string, unknown>): OptionSetPlan => {
    let plan = plans.get(key);
    if (!plan) {
      const options = Object.fromEntries(Object.entries(opts).filter(([k]) => !k.startsWith('test.'))) as Record<string, string>;
      plan = { key, filter: name, options, journal: opts['logtype'] === 'journal', lines: [] };
      plans.set(key, plan);
    }
    return plan;
  };
  for (let f = 0; f < files.length; f++) {
    const file = files[f]!;
    const lines = readFileSync(join(logsDir, file), 'utf8').split(/(?<=\n)/);
    let ignoreBlock = false;
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      let expected: FailData | null = null;
      let where = `${file}:${i + 1}`;
      const m = ANNOTATION.exec(line.replace(/[\r\n]+$/, ''));
      if (m) {
        const data = JSON.parse(m[2]!) as unknown;
        if (m[1] === 'fileOptions') { common = data as Record<string, unknown>; continue; }
        if (m[1] === 'filterOptions') {
          current = [];
          ignoreBlock = false;
          for (const entry of Array.isArray(data) ? data : [data]) {
            const opts = { ...common, ...(entry as Record<string, unknown>) };
            const condition = opts['test.condition'];
            if (typeof condition === 'string' && condition) ignoreBlock = !evaluateCondition(condition, name, opts);
            if (ignoreBlock) continue;
            const fltOpts = Object.fromEntries(Object.entries(opts).filter(([k]) => !k.startsWith('test.')));
            const suffix = (opts['test.filter-name'] as string | undefined) ?? (Object.keys(fltOpts).length ? JSON.stringify(fltOpts) : '');
            current.push({ key: name + suffix, opts });
          }
          continue;
        }
        if (m[1] === 'addFILE') { files.push(data as string); continue; }
        expected = data as FailData;
        i++;
        line = lines[i] ?? '';
        where = `${file}:${i + 1}`;
      } else if (ignoreBlock || line.startsWith('#') || line.trim() === '') {
        continue;
      }
      if (ignoreBlock) continue;
      if (!current || current.length === 0) current = [{ key: name, opts: {} }];
      const text = line.replace(/[\r\n]+$/, '');
      for (const { key, opts } of current) {
        const constraint = expected?.['constraint'];
        if (typeof constraint === 'string' && !evaluateCondition(constraint, name, opts)) continue;
        const prefixLine = opts['test.prefix-line'];
        const prefix = opts['logtype'] === 'journal' && typeof prefixLine === 'string' ? prefixLine : '';
        planFor(key, opts).lines.push({ text: prefix + text, expected, where });
      }
    }
  }
  return [...plans.values()];
}

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readFilter } from '../../src/config/index.js';
import { formatIp, parseIp } from '../../src/net/ip-address.js';
import { planSamples, type FailData, type OptionSetPlan } from './_sample-plan.js';

const run = promisify(execFile);
export const BANWARD_BIN = fileURLToPath(new URL('../../../bin/banward.js', import.meta.url));

/** fail2ban's sample tests run at this "now" (2005-08-14 12:00 CEST) in a CET/CEST zone. */
export const SAMPLES_NOW = 1124013600;
export const SAMPLES_TZ = 'Europe/Zurich';

interface JsonVerdict {
  line: number;
  result: string;
  regexes: number[];
  fid: string | null;
  time: number | null;
  attempts: number | null;
  captures: Record<string, unknown> | null;
}

export interface CaseFailure { where: string; options: string; reason: string }

export interface FilterResult {
  filter: string;
  cases: number;
  passed: number;
  failures: CaseFailure[];
  /** Failregexes no sample line exercised (under any option set): each regex must have a sample. */
  unsampledRegexes: string[];
}

/** Local wall time in the samples' zone → epoch seconds (the process runs with TZ set to it). */
function localEpoch(text: string): number {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`bad sample time ${text}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ? Number(`0.${m[7]}`) : 0;
  return new Date(y, mo - 1, d, h, mi, s).getTime() / 1000 + fraction;
}

function sameAddress(actual: unknown, expected: unknown): boolean {
  if (typeof actual !== 'string' || typeof expected !== 'string') return actual === expected;
  const a = parseIp(actual);
  const b = parseIp(expected);
  return a && b ? formatIp(a) === formatIp(b) : actual === expected;
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const norm = (v: unknown[]) => JSON.stringify(v.map((x) => JSON.stringify(x)).sort());
    return norm(actual) === norm(expected);
  }
  return JSON.stringify(actual ?? null) === JSON.stringify(expected ?? null);
}

/** The verdict of one annotated line, as fail2ban's samples test judges it; null when it passes. */
export function judge(expected: FailData, verdict: JsonVerdict | undefined): string | null {
  // A line fail2ban-regex calls "ignored" (an <F-NOFAIL> match beside a real one) still counts its failure.
  const matched = verdict !== undefined && verdict.fid !== null;
  if (!matched) return expected['match'] ? 'line not matched when it should have been' : null;
  if (!expected['match']) return `line matched (regex ${verdict.regexes.join(',')}) when it should not have been`;
  if (verdict.regexes.length !== 1) return `several regexes matched: ${verdict.regexes.join(', ')}`;
  for (const [key, want] of Object.entries(expected)) {
    if (['time', 'match', 'desc', 'constraint'].includes(key)) continue;
    let got = verdict.captures?.[key];
    if (got === undefined && key === 'host') got = verdict.fid;
    if (got === undefined && key === 'attempts') got = verdict.attempts;
    const ok = key === 'host' ? sameAddress(got, want) : sameValue(got, want);
    if (!ok) return `${key}: got ${JSON.stringify(got ?? null)}, expected ${JSON.stringify(want)}`;
  }
  if (typeof expected['time'] === 'string') {
    const want = localEpoch(expected['time']);
    if (verdict.time === null || Math.abs(verdict.time - want) > 1e-6) {
      return `time: got ${verdict.time === null ? 'none' : new Date(verdict.time * 1000).toISOString()}, expected ${expected['time']} local (${new Date(want * 1000).toISOString()})`;
    }
  }
  return null;
}

function filterArgument(plan: OptionSetPlan): string {
  const entries = Object.entries(plan.options);
  if (entries.length === 0) return plan.filter;
  return `${plan.filter}[${entries.map(([k, v]) => `${k}="${String(v).replace(/(["\\])/g, '\\$1')}"`).join(', ')}]`;
}

interface PlanRun {
  verdicts: Map<number, JsonVerdict>;
  /** Hits per failregex, counting <F-NOFAIL> and pending matches as fail2ban's samples test does. */
  regexHits: number[];
}

async function runPlan(plan: OptionSetPlan, configDir: string, dir: string): Promise<PlanRun> {
  const file = join(dir, `${plan.filter}-${Buffer.from(plan.key).toString('hex').slice(-32)}.log`);
  writeFileSync(file, plan.lines.map((l) => l.text).join('\n') + '\n');
  const args = [BANWARD_BIN, 'regex', '--json', '--config', configDir, '--now', String(SAMPLES_NOW)];
  if (plan.journal) args.push('--datepattern', '{NONE}');
  args.push(file, filterArgument(plan));
  const { stdout } = await run(process.execPath, args, { env: { ...process.env, TZ: SAMPLES_TZ }, maxBuffer: 1 << 28 });
  const verdicts = new Map<number, JsonVerdict>();
  let regexHits: number[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('{"line"')) {
      const v = JSON.parse(line) as JsonVerdict;
      verdicts.set(v.line, v);
    } else if (line.startsWith('{"summary"')) {
      regexHits = (JSON.parse(line) as { summary: { failregex: number[] } }).summary.failregex;
    }
  }
  return { verdicts, regexHits };
}

/** Runs every filter's samples through `banward regex --json` and judges every annotated line. */
export async function runSampleSuite(configDir: string, logsDir: string, filters: string[]): Promise<FilterResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'banward-samples-'));
  try {
    const results: FilterResult[] = [];
    for (const filter of filters) {
      const result: FilterResult = { filter, cases: 0, passed: 0, failures: [], unsampledRegexes: [] };
      const used = new Set<string>();
      const unused: string[] = [];
      for (const plan of planSamples(filter, logsDir)) {
        let verdicts: Map<number, JsonVerdict>;
        try {
          const planRun = await runPlan(plan, configDir, dir);
          verdicts = planRun.verdicts;
          readFilter(configDir, filterArgument(plan)).failregex.forEach((regex, i) => {
            if (planRun.regexHits[i]) used.add(regex.value);
            else unused.push(regex.value);
          });
        } catch (error) {
          const reason = `banward regex failed: ${((error as { stderr?: string }).stderr ?? String(error)).trim().split('\n')[0]}`;
          const cases = plan.lines.filter((l) => l.expected !== null);
          result.cases += cases.length;
          for (const c of cases) result.failures.push({ where: c.where, options: plan.key, reason });
          continue;
        }
        plan.lines.forEach((line, i) => {
          if (line.expected === null) return;
          result.cases++;
          const reason = judge(line.expected, verdicts.get(i + 1));
          if (reason === null) result.passed++;
          else result.failures.push({ where: line.where, options: plan.key, reason });
        });
      }
      result.unsampledRegexes = [...new Set(unused.filter((r) => !used.has(r)))];
      results.push(result);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

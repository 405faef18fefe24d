import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSampleSuite, type FilterResult } from './_sample-suite.js';

export const FAIL2BAN_CONFIG = '/etc/fail2ban';
export const FAIL2BAN_SAMPLES = '/usr/lib/python3/dist-packages/fail2ban/tests/files/logs';

/** A fail2ban whose filters and samples the suite runs: the installed one, or a later one unpacked beside it. */
export interface Fail2banRelease {
  /** e.g. "Debian's fail2ban 1.0.2-2 (`/etc/fail2ban/filter.d`)". */
  title: string;
  config: string;
  samples: string;
}

/** Where .ci/run unpacks Debian sid's fail2ban 1.1.1 (never installed over the system's 1.0.2). */
export const FAIL2BAN_11_ROOT = process.env['BANWARD_FAIL2BAN_11'] ?? '/opt/banward-test/fail2ban-1.1.1';

export function installedFail2ban(): Fail2banRelease {
  const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'fail2ban'], { encoding: 'utf8' });
  return { title: `Debian's fail2ban ${version} (\`${FAIL2BAN_CONFIG}/filter.d\`)`, config: FAIL2BAN_CONFIG, samples: FAIL2BAN_SAMPLES };
}

/** The unpacked fail2ban 1.1.1; its absence is an error that says how to get it, never a skip. */
export function fail2ban11(): Fail2banRelease {
  const config = join(FAIL2BAN_11_ROOT, 'etc/fail2ban');
  const python = join(FAIL2BAN_11_ROOT, 'usr/lib/python3/dist-packages/fail2ban');
  if (!existsSync(join(config, 'filter.d')) || !existsSync(join(python, 'version.py'))) {
    throw new Error(`fail2ban 1.1.1 is not unpacked at ${FAIL2BAN_11_ROOT} (BANWARD_FAIL2BAN_11): run .ci/run, which fetches it from Debian sid without installing it`);
  }
  const version = /^version = "([^"]+)"/m.exec(readFileSync(join(python, 'version.py'), 'utf8'))?.[1] ?? '?';
  return {
    title: `Debian sid's fail2ban ${version}, unpacked by \`.ci/run\` into \`${FAIL2BAN_11_ROOT}\` (its \`etc/fail2ban/filter.d\` and samples)`,
    config,
    samples: join(python, 'tests/files/logs'),
  };
}

/** Filters whose every case must pass: the services our users run most. */
export const MUST_PASS = /^(sshd|nginx-.*|apache-auth|postfix|dovecot|recidive)$/;

/** The stock filters fail2ban's own samples test covers: every filter.d/*.conf but the *common ones. */
export function stockFilters(configDir = FAIL2BAN_CONFIG): string[] {
  const dir = join(configDir, 'filter.d');
  if (!existsSync(dir)) {
    throw new Error(`${dir} is missing: install Debian's fail2ban package (apt-get install fail2ban)`);
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.conf') && !f.startsWith('.'))
    .map((f) => f.slice(0, -'.conf'.length))
    .filter((name) => !name.endsWith('common'))
    .sort();
}

/** Every stock filter of a release over that release's own samples for it. */
export async function runFail2banSamples(release: Fail2banRelease): Promise<FilterResult[]> {
  return runSampleSuite(release.config, release.samples, stockFilters(release.config));
}

export function totals(results: FilterResult[]): { cases: number; passed: number; ratio: number } {
  const cases = results.reduce((n, r) => n + r.cases, 0);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  return { cases, passed, ratio: cases === 0 ? 0 : passed / cases };
}

/**
 * The pass requirement for a release: at least `minFilters` stock filters and `minCases` cases planned
 * (a lost samples directory must not pass as "nothing failed"), every case of the must-pass filters,
 * and ≥ 98 % of all cases.
 */
export async function assertReleasePasses(release: Fail2banRelease, minimum: { filters: number; cases: number }): Promise<void> {
  const filters = stockFilters(release.config);
  assert.ok(filters.length >= minimum.filters, `expected ${minimum.filters}+ stock filters in ${release.config}, found ${filters.length}`);
  const results = await runFail2banSamples(release);
  const t = totals(results);
  const mustPass = results.filter((r) => MUST_PASS.test(r.filter) && r.failures.length > 0);
  const summary = results.flatMap((r) => r.failures.slice(0, 3).map((f) => `${r.filter} ${f.where}: ${f.reason}`));
  assert.ok(t.cases >= minimum.cases, `expected ${minimum.cases}+ cases, planned ${t.cases}`);
  assert.deepEqual(mustPass.map((r) => `${r.filter}: ${r.failures[0]!.where}: ${r.failures[0]!.reason}`), []);
  assert.ok(t.ratio >= 0.98, `${t.passed}/${t.cases} cases pass (${(t.ratio * 100).toFixed(2)} %):\n${summary.join('\n')}`);
}

export interface CompatSection {
  release: Fail2banRelease;
  results: FilterResult[];
}

/** docs/compat.md: per release, the pass table and every failing case with its reason. */
export function formatCompatDoc(sections: CompatSection[]): string {
  let doc = '# Compatibility with fail2ban\'s filters\n\n';
  doc += 'Every stock filter of each fail2ban release below run by `banward regex --json --config <its config>`\n';
  doc += 'over that release\'s own annotated sample logs, judged by fail2ban\'s rules for them (a case is one\n';
  doc += '`# failJSON` line under one filter option set). Generated by `npm run compat`; the same runs are tests\n';
  doc += 'in `npm test`.\n';
  for (const { release, results } of sections) {
    const t = totals(results);
    doc += `\n## ${release.title}\n\n`;
    doc += `**${t.passed} of ${t.cases} cases pass (${(t.ratio * 100).toFixed(2)} %) over ${results.length} filters.**\n\n`;
    doc += '| filter | cases | passed |\n|---|---:|---:|\n';
    for (const r of results) doc += `| ${r.filter} | ${r.cases} | ${r.passed}${r.passed === r.cases ? '' : ' ✗'} |\n`;
    const failing = results.filter((r) => r.failures.length > 0);
    if (failing.length) {
      doc += '\n### Cases that do not pass\n\n';
      for (const r of failing) {
        for (const f of r.failures) doc += `- \`${r.filter}\` ${f.where} (${f.options}): ${f.reason}\n`;
      }
    }
  }
  return doc;
}

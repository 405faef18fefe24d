import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { MUST_PASS, runFail2banSamples, stockFilters, totals } from './_compat-report.js';
import { SAMPLES_TZ } from './_sample-suite.js';

process.env.TZ = SAMPLES_TZ;

test('every stock fail2ban filter over fail2ban\'s samples: ≥ 98 % of cases, all of the must-pass filters', async () => {
  const filters = stockFilters();
  assert.ok(filters.length >= 80, `expected fail2ban's ~89 stock filters, found ${filters.length}`);
  const results = await runFail2banSamples();
  const t = totals(results);
  const mustPass = results.filter((r) => MUST_PASS.test(r.filter) && r.failures.length > 0);
  const summary = results.flatMap((r) => r.failures.slice(0, 3).map((f) => `${r.filter} ${f.where}: ${f.reason}`));
  assert.ok(t.cases >= 1300, `expected ~1,381 cases, planned ${t.cases}`);
  assert.deepEqual(mustPass.map((r) => `${r.filter}: ${r.failures[0]!.where}: ${r.failures[0]!.reason}`), []);
  assert.ok(t.ratio >= 0.98, `${t.passed}/${t.cases} cases pass (${(t.ratio * 100).toFixed(2)} %):\n${summary.join('\n')}`);
});

import { test } from 'node:test';
import { assertReleasePasses, installedFail2ban } from './_compat-report.js';
import { SAMPLES_TZ } from './_sample-suite.js';

process.env.TZ = SAMPLES_TZ;

test('every stock fail2ban filter over fail2ban\'s samples: ≥ 98 % of cases, all of the must-pass filters', async () => {
  await assertReleasePasses(installedFail2ban(), { filters: 80, cases: 1300 });
});

import { test } from 'node:test';
import { assertReleasePasses, fail2ban11 } from './_compat-report.js';
import { SAMPLES_TZ } from './_sample-suite.js';

process.env.TZ = SAMPLES_TZ;

test('every stock filter of fail2ban 1.1.1 over 1.1.1\'s samples: ≥ 98 % of cases, all of the must-pass filters', async () => {
  // fail2ban11() throws, saying to run .ci/run, when the unpacked 1.1.1 tree is missing: never a skip.
  await assertReleasePasses(fail2ban11(), { filters: 90, cases: 1500 });
});

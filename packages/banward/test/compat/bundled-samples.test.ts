import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledConfigDir } from '../../src/cli/_paths.js';
import { FAIL2BAN_SAMPLES } from './_compat-report.js';
import { runSampleSuite, SAMPLES_TZ } from './_sample-suite.js';

process.env.TZ = SAMPLES_TZ;
const CONFIG = bundledConfigDir();
const BUNDLED = readdirSync(join(CONFIG, 'filter.d'))
  .filter((f) => f.endsWith('.conf') && !f.endsWith('common.conf'))
  .map((f) => f.slice(0, -'.conf'.length));

test('every bundled filter has samples of its own, every case passes and every failregex has a sample', async () => {
  const samples = readdirSync(join(CONFIG, 'samples'));
  assert.deepEqual(BUNDLED.filter((f) => !samples.includes(f)), [], 'bundled filters without a sample file');
  const results = await runSampleSuite(CONFIG, join(CONFIG, 'samples'), BUNDLED);
  for (const r of results) {
    assert.ok(r.cases > 0, `${r.filter}: no annotated samples`);
    assert.deepEqual(r.failures, [], `${r.filter}: failing samples`);
    assert.deepEqual(r.unsampledRegexes, [], `${r.filter}: failregex without a sample`);
  }
});

/**
 * fail2ban's samples for the services we bundle a filter for. A case listed here is a line our filter
 * refuses on purpose, with the reason; everything else must pass.
 */
const DELIBERATE_DIFFERENCES: Record<string, string> = {
  // "Failed password for invalid user test from A port P ssh2: from B port Q ssh2": the unknown user's name is
  // client-chosen, and password auth writes no ": <info>" of its own, so sshd's address is the last one (B).
  'sshd:144 sshd': 'client-chosen user name may carry "from A ... ssh2:"; only the last address is trusted, fail2ban takes the injectable A',
  'sshd:144 sshd{"mode":"aggressive"}': 'same line as sshd:144 (aggressive mode)',
  'sshd-journal:145 sshd{"logtype":"journal"}': 'same line as sshd:144 (journal)',
  'sshd-journal:145 sshd{"logtype":"journal","mode":"aggressive"}': 'same line as sshd:144 (journal, aggressive mode)',
  // 'user "test": password mismatch, client: 127.0.0.1, ..., host: "localhost:8443"": was not found in "...", client: 192.0.2.2, ...':
  // nginx's user name is the credentials up to the first ':' and never holds one, so 127.0.0.1 is nginx's client
  // and the rest came from the client's Host or Referer (issue 11 defect 10); taking the last client is injectable.
  'nginx-http-auth:14 nginx-http-auth{"mode":"normal"}': 'the first client is nginx\'s (a user name holds no \':\'); fail2ban takes the last, which a Referer can forge',
  'nginx-http-auth:14 nginx-http-auth{"mode":"auth"}': 'same line as nginx-http-auth:14 (mode auth)',
};

test('bundled filters pass fail2ban\'s own samples for the same service', async () => {
  const services = BUNDLED.filter((f) => readdirSync(FAIL2BAN_SAMPLES).includes(f));
  assert.ok(services.includes('sshd') && services.includes('postfix'), `fail2ban's samples missing from ${FAIL2BAN_SAMPLES}`);
  const results = await runSampleSuite(CONFIG, FAIL2BAN_SAMPLES, services);
  const unexpected = results.flatMap((r) => r.failures
    .filter((f) => !(`${f.where} ${f.options}` in DELIBERATE_DIFFERENCES))
    .map((f) => `${f.where} ${f.options}: ${f.reason}`));
  assert.deepEqual(unexpected, []);
});

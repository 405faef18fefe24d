import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledConfigDir } from '../../src/cli/_paths.js';
import { findFail2banPython } from '../_fail2ban-python.js';
import { planSamples } from './_sample-plan.js';

/** Filters written for apps that may keep plain fail2ban: the docs tell users to drop them into its filter.d. */
const FOR_PLAIN_FAIL2BAN = ['banward-web'];

for (const name of FOR_PLAIN_FAIL2BAN) {
  test(`${name}: fail2ban itself, with only our filter file added to its filter.d, finds the same addresses`, () => {
    const python = findFail2banPython('fail2ban');
    const dir = mkdtempSync(join(tmpdir(), 'banward-plain-f2b-'));
    try {
      mkdirSync(join(dir, 'filter.d'));
      copyFileSync('/etc/fail2ban/filter.d/common.conf', join(dir, 'filter.d', 'common.conf'));
      copyFileSync(join(bundledConfigDir(), 'filter.d', `${name}.conf`), join(dir, 'filter.d', `${name}.conf`));
      const plan = planSamples(name, join(bundledConfigDir(), 'samples')).find((p) => p.key === name);
      assert.ok(plan && plan.lines.length > 0, `${name}: no samples with default options`);
      writeFileSync(join(dir, 'app.log'), plan.lines.map((l) => l.text.replace(/\n?$/, '\n')).join(''));
      const run = spawnSync(python, ['/usr/bin/fail2ban-regex', '-o', 'ip', join(dir, 'app.log'), join(dir, 'filter.d', `${name}.conf`)], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const expected = plan.lines.filter((l) => l.expected?.['match'] === true).map((l) => String(l.expected?.['host']));
      assert.deepEqual(run.stdout.trim().split('\n'), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

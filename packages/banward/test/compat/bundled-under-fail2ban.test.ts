import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledConfigDir } from '../../src/cli/_paths.js';
import { findFail2banPython } from '../_fail2ban-python.js';
import { planSamples } from './_sample-plan.js';

/** Filters written for apps that may keep plain fail2ban: the docs tell users to drop them into its filter.d. */
const FOR_PLAIN_FAIL2BAN = ['banward-web', 'django-auth'];

/** Docs that print a filter for plain fail2ban: the block starting with `# /etc/fail2ban/filter.d/NAME.conf`. */
const FILTERS_IN_DOCS: Record<string, string> = { 'django-auth': 'docs/django.md' };

/** Runs plain fail2ban-regex with `filterText` as filter.d/NAME.conf over NAME's samples; asserts the addresses. */
function assertPlainFail2banFindsTheSamples(name: string, filterText: string): void {
  const python = findFail2banPython('fail2ban');
  const dir = mkdtempSync(join(tmpdir(), 'banward-plain-f2b-'));
  try {
    mkdirSync(join(dir, 'filter.d'));
    copyFileSync('/etc/fail2ban/filter.d/common.conf', join(dir, 'filter.d', 'common.conf'));
    writeFileSync(join(dir, 'filter.d', `${name}.conf`), filterText);
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
}

for (const name of FOR_PLAIN_FAIL2BAN) {
  test(`${name}: fail2ban itself, with only our filter file added to its filter.d, finds the same addresses`, () => {
    assertPlainFail2banFindsTheSamples(name, readFileSync(join(bundledConfigDir(), 'filter.d', `${name}.conf`), 'utf8'));
  });
}

for (const [name, doc] of Object.entries(FILTERS_IN_DOCS)) {
  test(`${name}: the filter printed in ${doc} works in plain fail2ban and finds the same addresses`, () => {
    const text = readFileSync(new URL(`../../../../../${doc}`, import.meta.url), 'utf8');
    const marker = `# /etc/fail2ban/filter.d/${name}.conf\n`;
    const block = new RegExp(`\`\`\`ini\\n(${marker}[\\s\\S]*?)\`\`\``).exec(text);
    assert.ok(block, `${doc} has no \`\`\`ini block starting with ${marker.trim()}`);
    assertPlainFail2banFindsTheSamples(name, block[1]!);
  });
}

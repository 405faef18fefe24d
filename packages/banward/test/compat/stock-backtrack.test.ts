import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readFilter } from '../../src/config/index.js';
import { backtrackWarnings } from '../../src/filter/backtrack-warnings.js';
import { fail2ban11, FAIL2BAN_CONFIG, stockFilters } from './_compat-report.js';

function flagged(config: string): { total: number; flagged: Set<string> } {
  let total = 0;
  const found = new Set<string>();
  for (const name of stockFilters(config)) {
    const filter = readFilter(config, name);
    total += filter.failregex.length;
    for (const w of backtrackWarnings(filter.failregex, { multiline: (filter.maxlines ?? 1) > 1 })) {
      found.add(`${name}:${w.file!.slice(config.length + '/filter.d/'.length)}:${w.line}`);
    }
  }
  return { total, flagged: found };
}

test('backtracking check over fail2ban 1.0.2\'s filters: the measured catastrophic ones flagged, most others not', () => {
  const { total, flagged: found } = flagged(FAIL2BAN_CONFIG);
  // apache-modsecurity (exponential), php-url-fopen (five .*), dovecot's and domino-smtp's regexes that
  // 1.1.1 rewrote (GHSA-33wh-ccjc-p397): all slow for seconds on a crafted line of a few hundred bytes.
  for (const known of ['apache-modsecurity:apache-modsecurity.conf:13', 'php-url-fopen:php-url-fopen.conf:9', 'dovecot:dovecot.conf:19', 'domino-smtp:domino-smtp.conf:41']) {
    assert.ok(found.has(known), `${known} not flagged; flagged: ${[...found].join(', ')}`);
  }
  assert.ok(found.size <= total * 0.15, `${found.size} of ${total} failregexes flagged: ${[...found].join(', ')}`);
});

test('backtracking check over fail2ban 1.1.1\'s filters: domino-smtp\'s rewrite passes, dovecot\'s does not', () => {
  const { total, flagged: found } = flagged(fail2ban11().config);
  assert.ok(![...found].some((f) => f.startsWith('domino-smtp:')), [...found].join(', '));
  // 1.1.1's _bypass_reject_reason, (?::(?: [^\( ]*|\([^\(]*\))*)?, reads "(x) y)" in two ways: a line
  // with that 28 times takes seconds, in Python's re as in V8.
  assert.ok(found.has('dovecot:dovecot.conf:23'), [...found].join(', '));
  assert.ok(found.size <= total * 0.15, `${found.size} of ${total} failregexes flagged: ${[...found].join(', ')}`);
});

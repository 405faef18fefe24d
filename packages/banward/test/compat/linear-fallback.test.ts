import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { readFilter } from '../../src/config/index.js';
import { TaggedRegex } from '../../src/filter/failregex.js';
import { FAIL2BAN_CONFIG, stockFilters } from './_compat-report.js';

// With this flag, the `l` flag compiles a regex for V8's linear-time engine, and refuses one the engine
// cannot run: the same test V8 applies before it falls back to that engine on excessive backtracking.
setFlagsFromString('--enable-experimental-regexp-engine');

function linearEligible(regex: TaggedRegex): boolean {
  try {
    new RegExp(regex.regex.jsSource, `${regex.regex.jsFlags}l`);
    return true;
  } catch {
    return false;
  }
}

test('issue 11 defect 4: the ASCII forms of most stock failregexes are open to V8\'s linear-time fallback (no $ lookahead, no IPv6 lookbehind, no i flag)', () => {
  let total = 0;
  let eligible = 0;
  for (const name of stockFilters()) {
    const filter = readFilter(FAIL2BAN_CONFIG, name, {});
    for (const { value } of filter.failregex) {
      total++;
      if (linearEligible(new TaggedRegex(value, { multiline: (filter.maxlines ?? 1) > 1 }))) eligible++;
    }
  }
  assert.ok(total > 150, `only ${total} failregexes`);
  // 172 of 194 on fail2ban 1.0.2; those left have lookarounds or backreferences of their own.
  assert.ok(eligible / total > 0.85, `${eligible} of ${total} eligible`);
  for (const text of [String.raw`^<HOST> (\w+\s?)*$`, String.raw`(?i)^login failed from <ADDR>\s*$`]) {
    assert.ok(linearEligible(new TaggedRegex(text)), text);
  }
});

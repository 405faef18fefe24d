import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { backtrackWarnings } from './backtrack-warnings.js';

test('backtrackWarnings: one BANWARD_W_REGEX_BACKTRACK per risky failregex, with its file and line', () => {
  const bad = { value: '^<HOST> (\\w+\\s?)*$', file: '/etc/fail2ban/filter.d/x.conf', line: 7 };
  const warnings = backtrackWarnings([
    { value: '^login failed from <HOST>$', file: bad.file, line: 6 },
    bad,
    bad, // listed twice (two jails using one filter): warned once
    { value: '^<HOST> -.*"GET.*\\?.*=http://.* HTTP/.*$', file: bad.file, line: 8 },
    { value: '^x.*y$', file: bad.file, line: 9 }, // quadratic: not warned
  ]);
  assert.deepEqual(warnings.map((w) => [w.code, w.file, w.line]), [
    ['BANWARD_W_REGEX_BACKTRACK', bad.file, 7],
    ['BANWARD_W_REGEX_BACKTRACK', bad.file, 8],
  ]);
  assert.match(warnings[0]!.message, /exponentially.*\(\\w\+\\s\?\)\*/);
  assert.match(warnings[1]!.message, /polynomially \(about n\^\d+ steps/);
});

test('backtrackWarnings: a regex that does not parse is left to its compilation error', () => {
  assert.deepEqual(backtrackWarnings([{ value: '^(unclosed <HOST>' }]), []);
});

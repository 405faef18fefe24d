import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { pythonSource } from '../failregex.js';
import { backtrackRisk, POLYNOMIAL_WARNING_DEGREE } from './python-regex.js';

type Verdict = 'exponential' | number | null;

// [failregex as written (fail2ban tags allowed), expected: 'exponential', a polynomial degree, or null]
const CASES: Array<[string, Verdict]> = [
  // Exponential: a repeated part can read the same text in two ways.
  ['^<HOST> (\\w+\\s?)*$', 'exponential'],
  ['^(a|a)*$', 'exponential'],
  ['^(a|aa)*c', 'exponential'],
  ['^(a*)*$', 'exponential'],
  ['^(?:a+)+b', 'exponential'],
  ['^(\\d+)+$', 'exponential'],
  ['^(?:a{1,3})*b', 'exponential'],
  ['^(?:(?:b?|c?)d)*$', 'exponential'],
  ['^(?:[^\\[]+ )*\\[?<HOST>\\]? failed', 'exponential'],
  ['^x(?=(a+)+b)', 'exponential'],
  ['^(?:\\s(?!err)\\S+=\\S*)* err=49', 'exponential'],
  // Polynomial: repeats in a row that can share characters (the unanchored start counts as one).
  ['^.*a.*b.*c$', 3],
  ['.*.*X', 3],
  ['x.*y', 2],
  ['^(?:ab)*(?:ab)*(?:ab)*c', 3], // loops of several positions sharing a word
  // exim-common's fields twice around an address: both loops can read "ab=x", but no one word takes the
  // first round its loop and across the mandatory " [1]" too.
  ['^(?: [A-Za-z]{1,4}(?:=\\S+)?)* \\[\\d+\\](?: [A-Za-z]{1,4}(?:=\\S+)?)* rejected [^@]+@\\S+: .*dnsbl.*$', 2],
  ['^(?:\\w+\\s)*\\w+$', 2],
  // About linear.
  ['(a|a)*', null], // nothing after the loop can fail: the first try succeeds
  ['^(a|ab)*c', null], // each iteration is decided by its text: not ambiguous
  ['^(?>a+)*b', null], // an atomic group gives nothing back
  ['^foo.*bar$', null],
  ['^\\S+ \\S+ from <HOST>$', null],
  ['^a{1,5}$', null],
  ['^(?:a|b){2,30}c', null],
  ['^(?:[^"]*"){3}x', null],
  ['^(?: [A-Za-z]{1,4}(?:=\\S+)?)* rejected', null], // a counted repeat reads "ab" one way (exim-common's fields)
  ['^Failed password for (?:invalid user )?\\S+ from <HOST> port \\d+', null],
  ['(?i)^login failed for user "(?P<user>[^"]*)" from <ADDR>$', null],
];

for (const [regex, expected] of CASES) {
  test(`backtrackRisk: ${regex} → ${expected ?? 'linear'}`, () => {
    const risk = backtrackRisk(pythonSource(regex));
    const verdict: Verdict = risk === null ? null : risk.kind === 'exponential' ? 'exponential' : risk.degree;
    assert.equal(verdict, expected);
  });
}

test('backtrackRisk: each variant of a conditional pattern is judged, the worst one counts', () => {
  assert.equal(backtrackRisk('^(?P<q>")?(?(q)(\\w+\\s?)*"|\\w+)$')?.kind, 'exponential');
  assert.equal(backtrackRisk('^(?P<q>")?(?(q)[^"]*"|\\w+)$'), null);
});

test('backtrackRisk: warnings start at degree 3', () => {
  assert.equal(POLYNOMIAL_WARNING_DEGREE, 3);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PythonRegexError, translatePythonRegex } from './_python-regex.js';

function compile(pattern: string): RegExp {
  const t = translatePythonRegex(pattern);
  return new RegExp(t.source, t.flags);
}

describe('translatePythonRegex', () => {
  const cases: [string, string, string | null][] = [
    ['(?P<a>\\d+)-(?P=a)', 'x 12-12 y', '12-12'],
    ['(?P<a>\\d+)-(?P=a)', 'x 12-13 y', null],
    ['(?i)jan', 'JAN', 'JAN'],
    ['a{,2}b', 'aab', 'aab'],
    ['a{b', 'a{b', 'a{b'],
    ['[]a]+', ']a]', ']a]'],
    ['\\bjan\\b', 'éjan', null], // Python's \b is Unicode-aware: é is a word character
    ['\\Wjan', 'éjan', null],
    ['\\Wjan', '-jan', '-jan'],
    ['x\\Z', 'x', 'x'],
    ['\\-\\:\\#', '-:#', '-:#'],
    ['(?#comment)a', 'a', 'a'],
  ];
  for (const [pattern, input, expected] of cases) {
    it(`${pattern} on ${input}`, () => assert.equal(compile(pattern).exec(input)?.[0] ?? null, expected));
  }
  it('numbers groups like Python and records their names', () => {
    assert.deepEqual(translatePythonRegex('(a)(?P<Y>b)(?:c)(?=d)').groupNames, [undefined, undefined, 'Y']);
  });
  for (const pattern of ['(?(1)a|b)', '(?>a)', 'a++', '(?x)a', '\\q', '(?P<a>x)(?P<a>y)', '[abc', '(?i:a)']) {
    it(`rejects ${pattern}`, () => assert.throws(() => translatePythonRegex(pattern), PythonRegexError));
  }
});

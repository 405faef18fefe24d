import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { compileNumberedPattern } from './python-regex.js';

function firstMatch(pattern: string, input: string): string | null {
  const { ascii, unicode } = compileNumberedPattern(pattern);
  const a = unicode.exec(input)?.[0] ?? null;
  if (/^[\x00-\x7f]*$/.test(input)) assert.equal(ascii.exec(input)?.[0] ?? null, a, 'ASCII and Unicode compilations agree on ASCII text');
  return a;
}

describe('compileNumberedPattern', () => {
  const cases: Array<[string, string, string | null]> = [
    ['(?P<a>\\d+)-(?P=a)', 'x 12-12 y', '12-12'],
    ['(?P<a>\\d+)-(?P=a)', 'x 12-13 y', null],
    ['(?i)jan', 'JAN', 'JAN'],
    ['(?i:jan)', 'JAN', 'JAN'],
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
    it(`${pattern} on ${input}`, () => assert.equal(firstMatch(pattern, input), expected));
  }
  it('numbers groups like Python and records their names', () => {
    assert.deepEqual(compileNumberedPattern('(a)(?P<Y>b)(?:c)(?=d)').groupNames, [undefined, undefined, 'Y']);
    assert.equal(compileNumberedPattern('(a)(?P<Y>b)').unicode.exec('ab')?.[2], 'b');
  });
  for (const pattern of ['(?(1)a|b)', '(?>a)', 'a++', '\\q', '(?P<a>x)(?P<a>y)', '[abc']) {
    it(`rejects ${pattern}`, () => assert.throws(() => compileNumberedPattern(pattern)));
  }
});

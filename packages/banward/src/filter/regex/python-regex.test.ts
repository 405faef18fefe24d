import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isAscii, PythonRegex } from './python-regex.js';

type Expected = [start: number, end: number, groups: Record<string, string | null>] | null;

// [pattern, text, what Python 3.11's re.search gives (start, end, groupdict)] — recorded from CPython.
const CASES: Array<[string, string, Expected]> = [
  ["^(?P<a>\\w+) (?P<b>\\d+)$", "héllo 42", [0, 8, {"a": "héllo", "b": "42"}]],
  ["^(?P<a>\\w+) (?P<b>\\d+)$", "hello 42\n", [0, 8, {"a": "hello", "b": "42"}]],
  ["^(?P<a>\\w+)$", "hello\n\n", null],
  ["^a.c$", "a\rc", [0, 3, {}]],
  ["^a.c$", "a\nc", null],
  ["(?s)^a.c$", "a\nc", [0, 3, {}]],
  ["x\\Z", "x\n", null],
  ["x$", "x\n", [0, 1, {}]],
  ["^(?P<a>\\w+)\\n$", "ab\n\n", [0, 3, {"a": "ab"}]],
  ["^(?P<a>\\w+)\\n$", "ab\n", [0, 3, {"a": "ab"}]],
  ["a$|(?P<b>b)$", "b\n", [0, 1, {"b": "b"}]],
  ["(?i)^[!-Z]+$", "abc", [0, 3, {}]],
  ["(?i)^(?P<w>a|b)x$", "BX\n", [0, 2, {"w": "B"}]],
  ["(?i)^[^a-c]+$", "XYZ\n", [0, 4, {}]],
  ["(?i)^[^a-c]+$", "xyC", null],
  ["(?i)^login (?P<u>\\S+)", "LOGIN bob", [0, 9, {"u": "bob"}]],
  ["SASL (?i:LOGIN|PLAIN) failed", "SASL login failed", [0, 17, {}]],
  ["SASL (?i:LOGIN|PLAIN) failed", "sasl login failed", null],
  ["^(?P<x>a)?(?(x)b|c)$", "ab", [0, 2, {"x": "a"}]],
  ["^(?P<x>a)?(?(x)b|c)$", "c", [0, 1, {"x": null}]],
  ["^(?P<x>a)?(?(x)b|c)$", "ac", null],
  ["^(?P<x>a)?(?(x)b|c)$", "b", null],
  ["^(?:(?P<i>invalid user )?(?P<u>(?P<cu>\\S+)|(?(i)(?:(?! from ).)*?|[^:]+)) from (?P<h>\\S+)(?(cu): |(?:(?! from ).)*)$)", "invalid user bob from 1.2.3.4: x", [0, 32, {"i": "invalid user ", "u": "bob", "cu": null, "h": "1.2.3.4:"}]],
  ["^(?:(?P<i>invalid user )?(?P<u>(?P<cu>\\S+)|(?(i)(?:(?! from ).)*?|[^:]+)) from (?P<h>\\S+)(?(cu): |(?:(?! from ).)*)$)", "invalid user bob smith from 1.2.3.4 port 22", [0, 43, {"i": "invalid user ", "u": "bob smith", "cu": null, "h": "1.2.3.4"}]],
  ["^(?:(?P<i>invalid user )?(?P<u>(?P<cu>\\S+)|(?(i)(?:(?! from ).)*?|[^:]+)) from (?P<h>\\S+)(?(cu): |(?:(?! from ).)*)$)", "bob smith from 1.2.3.4 port 22", [0, 30, {"i": null, "u": "bob smith", "cu": null, "h": "1.2.3.4"}]],
  ["a{,2}b", "aab", [0, 3, {}]],
  ["a{x}", "a{x}", [0, 4, {}]],
  ["[]a]+", "]a]", [0, 3, {}]],
  ["\\bword\\b", "éword", null],
  ["\\bword\\b", " word ", [1, 5, {}]],
  ["(?P<q>['\\\"])(?P<v>.*?)(?P=q)", "say 'hi' now", [4, 8, {"q": "'", "v": "hi"}]],
  ["(a)(b)\\2\\1", "abba", [0, 4, {}]],
  ["(?x) a \\  b  # comment", "a b", [0, 3, {}]],
  ["\\x41\\u00e9\\t", "Aé\t", [0, 3, {}]],
  ["[\\w.-]+@", "jo.e-x@", [0, 7, {}]],
  ["^\\s+$", "\u001c", [0, 2, {}]],
  ["(?>a+)b", "aaab", [0, 4, {}]],
  ["a++b", "aaab", [0, 4, {}]],
  ["\\d+", "x١٢٣y", [1, 4, {}]],
  ["(?#comment)abc", "abc", [0, 3, {}]],
  ["[^\\]]+", "ab]c", [0, 2, {}]],
  ["\\:\\-\\\"", ":-\"", [0, 3, {}]],
  ["^(?P<a>x)|(?P<b>y)", "y", [0, 1, {"a": null, "b": "y"}]]
];

// Found by test/fuzz/python-regex.test.ts (differential against CPython's re); expected values from CPython.
const FUZZ_FINDINGS: Array<[string, string, string, Expected]> = [
  ['\\W inside a class is Python\'s Unicode \\W (é is a word character)', "[\\W]+", "é-", [1, 2, {}]],
  ['a negated class holding \\W', "[^\\W\\d]+", "1éa_", [1, 4, {}]],
  ['\\S inside a class excludes Python\'s \\x1c-\\x1f on ASCII lines', "x[\\S]", "x\u001c", null],
  ['a negated class holding \\S', "x[^a\\S]", "x\u001c", [0, 2, {}]],
  ['a quantified class split around \\S stays one repeated unit', "[^\\S]{,2}", "ab", [0, 0, {}]],
  ['\\B never matches an empty string', "\\B", "", null],
  ['a backreference to an optional group that did not take part fails', "(?P<a>a)?b(?P=a)", "b", null],
  ['a backreference to a group in an alternative not taken fails', "(?:(?P<q>\")|x)y(?P=q)", "xy", null],
  ['a backreference to a group set earlier in its own branch keeps Python\'s branch order', "[^a]|((?P<h>I*?))\\2", "\n.\n", [0, 1, {"h": null}]],
  ['an optional backreference to a group that did not take part matches nothing', "(?:x|(?P<q>y))z(?P=q)?", "xz", [0, 2, {"q": null}]],
  ['a conditional under a global (?i) compiles', "(?i)(?P<x>a)?(?(x)b|c)", "AB", [0, 2, {"x": "A"}]],
  ['a conditional under a global (?i), group absent', "(?i)(?P<x>a)?(?(x)b|c)", "C", [0, 1, {"x": null}]],
  ['a scoped (?i:) range takes the Kelvin sign, whose lower case is k', "(?i:[A-Z])", "\u212a", [0, 1, {}]],
  ['a scoped (?i:) negated range refuses the Kelvin sign', "(?i:[^a-z])", "\u212a", null],
  ['a scoped (?i:) literal takes long s, its extra case', "x(?i:s)", "x\u017f", [0, 2, {}]],
  ['a scoped (?i:) literal takes dotted capital I, whose lower case is i', "(?i:i)", "\u0130", [0, 1, {}]],
  ['a scoped (?i:) final sigma takes sigma', "(?i:\u03c2)", "\u03c3", [0, 1, {}]],
  ['a scoped (?i:) micro sign takes capital mu', "(?i:\u00b5)", "\u039c", [0, 1, {}]],
  ['a global (?i) i takes dotted capital I on a Unicode line', "(?i)xi", "X\u0130", [0, 2, {}]],
  ['a global (?i) I takes dotless i', "(?i)I", "\u0131", [0, 1, {}]],
  ['a global (?i) turned off in a group', "(?i)a(?-i:b)", "Ab", [0, 2, {}]],
  ['a global (?i) turned off in a group still tells b from B', "(?i)a(?-i:b)", "AB", null],
];

for (const [finding, pattern, text, expected] of FUZZ_FINDINGS) {
  test(`fuzz finding: ${finding}`, () => assertPythonMatch(pattern, text, expected));
}

function assertPythonMatch(pattern: string, text: string, expected: Expected): void {
  const m = new PythonRegex(pattern).search(text);
  if (expected === null) {
    assert.equal(m, null);
    return;
  }
  assert.ok(m, 'expected a match');
  // Groups that did not take part are absent here where Python's groupdict() has None.
  const [start, end, groups] = expected;
  const participating = Object.fromEntries(Object.entries(groups).filter(([, v]) => v !== null));
  assert.deepEqual([m.start, m.end, m.groups], [start, end, participating]);
}

for (const [pattern, text, expected] of CASES) {
  test(`python-regex: ${JSON.stringify(pattern)} on ${JSON.stringify(text)}`, () => assertPythonMatch(pattern, text, expected));
}

test('python-regex: multiline mode anchors at every \\n, as re.MULTILINE', () => {
  const re = new PythonRegex('^b$', { multiline: true });
  assert.deepEqual(re.search('a\nb\nc')?.start, 2);
  assert.equal(new PythonRegex('^b$').search('a\nb\nc'), null);
});

test('python-regex: a bad pattern is a BANWARD_ERR_REGEX naming the pattern', () => {
  assert.throws(() => new PythonRegex('(?P<x>a'), (e: unknown) => {
    const err = e as { code: string; message: string };
    return err.code === 'BANWARD_ERR_REGEX' && err.message.includes("'(?P<x>a'");
  });
  assert.throws(() => new PythonRegex('a(?i)b'), /global flags not at the start/);
  assert.throws(() => new PythonRegex('\\q'), /bad escape/);
});

for (const [finding, pattern, message] of [
  ['a lookbehind of variable width is refused', '(?<=a|bc)x', /look-behind requires fixed-width pattern/],
  ['a lookbehind that may match empty is refused', '(?<! |)x', /look-behind requires fixed-width pattern/],
  ['a backreference to an open group is refused', '(?P<a>a(?P=a))', /cannot refer to an open group/],
  ['a numbered backreference to an open group is refused', '(a\\1)', /cannot refer to an open group/],
  ['a lookbehind referring to its own group is refused', '(?<=(a)\\1)x', /defined in the same lookbehind/],
  ['a lookbehind conditional on its own group is refused', '(?<=(?P<a>a)(?(a)b|c))x', /defined in the same lookbehind/],
] as const) {
  test(`fuzz finding: ${finding}, as Python refuses it`, () => {
    assert.throws(() => new PythonRegex(pattern), (e: unknown) => (e as { code: string }).code === 'BANWARD_ERR_REGEX' && message.test((e as Error).message));
  });
}

test('fuzz finding: a fixed-width lookbehind with a backreference to an earlier group still compiles', () => {
  assert.equal(new PythonRegex('(?P<a>ab)(?<=(?P=a))c').search('xabc')?.start, 1);
});

test('isAscii: every character below U+0080, and nothing else', () => {
  for (const text of ['', 'plain text 0-9 ~\x7f', '\x00\n\t']) assert.equal(isAscii(text), true, JSON.stringify(text));
  for (const text of ['\x80', 'é', 'a\u{1f600}', 'x\ud800', '\udfff', 'ascii then \u00a0']) assert.equal(isAscii(text), false, JSON.stringify(text));
});

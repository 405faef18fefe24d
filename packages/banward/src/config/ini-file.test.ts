import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBanwardError } from '../errors.js';
import { parseIni } from './ini-file.js';

const value = (text: string, section: string, name: string): string | undefined => {
  const ini = parseIni(text, 'x.conf');
  const options = section === 'DEFAULT' ? ini.defaults : ini.sections.get(section);
  return options?.get(name)?.value.text;
};

test('full-line comments start with # or ; and inline comments only with ; after whitespace', () => {
  const text = '[s]\n# note\n  ; indented note\na = 1 ;comment\nb = x;y\nc = 2 # not a comment\n;d = 3\n';
  assert.equal(value(text, 's', 'a'), '1');
  assert.equal(value(text, 's', 'b'), 'x;y');
  assert.equal(value(text, 's', 'c'), '2 # not a comment');
  assert.equal(value(text, 's', 'd'), undefined);
});

test('deeper-indented lines continue a value; blank lines inside stay, trailing ones go', () => {
  const text = '[s]\nre = one\n   two\n\n   # skipped comment\n   three\n\n\nnext = 1\n';
  assert.equal(value(text, 's', 're'), 'one\ntwo\n\nthree');
  assert.equal(value(text, 's', 'next'), '1');
});

test('each line of a multi-line value keeps its own line number', () => {
  const ini = parseIni('[s]\nre = one\n  two\n', 'f.conf');
  const lines = ini.sections.get('s')?.get('re')?.value.split('\n').map((l) => l.origin().line);
  assert.deepEqual(lines, [2, 3]);
});

test('option names are lower-cased and end at the first = or :, section names keep case', () => {
  const ini = parseIni('[Definition]\nFailRegex = a=b\nport: 22\n', 'f.conf');
  assert.deepEqual([...ini.sections.keys()], ['Definition']);
  assert.equal(ini.sections.get('Definition')?.get('failregex')?.value.text, 'a=b');
  assert.equal(ini.sections.get('Definition')?.get('port')?.value.text, '22');
});

test('[DEFAULT] is kept apart and an empty value is allowed', () => {
  const ini = parseIni('[DEFAULT]\na = 1\n[s]\nb =\n', 'f.conf');
  assert.equal(ini.defaults.get('a')?.value.text, '1');
  assert.equal(ini.sections.get('s')?.get('b')?.value.text, '');
  assert.equal(ini.sections.get('s')?.get('b')?.value.origin().line, 4);
});

for (const [name, text, line] of [
  ['an option before any section', 'a = 1\n', 1],
  ['a line that is not an option', '[s]\na = 1\nnonsense\n', 3],
  ['an option twice in one section', '[s]\na = 1\nA = 2\n', 3],
  ['a section twice in one file', '[s]\n[t]\n[s]\n', 3],
] as const) {
  test(`syntax error with file and line: ${name}`, () => {
    assert.throws(
      () => parseIni(text, 'bad.conf'),
      (e) => isBanwardError(e) && e.code === 'BANWARD_ERR_CONFIG_SYNTAX' && e.file === 'bad.conf' && e.line === line,
    );
  });
}

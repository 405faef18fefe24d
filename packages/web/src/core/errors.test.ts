import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES, WARNINGS } from './errors.js';

/** The `code` column of the README's "Errors and warnings" table, in order. */
function readmeCodes(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Errors and warnings'));
  assert.ok(section, 'the README has an "Errors and warnings" section');
  return [...section.matchAll(/^\|\s*`([^`]+)`\s*\|\s*\S.*\|\s*$/gm)].map((m) => m[1]!);
}

test('the README lists every error and warning code of the catalogue, once, and no other', () => {
  const documented = readmeCodes();
  assert.deepEqual(documented.filter((code, i) => documented.indexOf(code) !== i), [], 'no code is listed twice');
  assert.deepEqual([...documented].sort(), [...Object.keys(ERROR_CODES), ...Object.keys(WARNINGS)].sort());
});

test('codes follow the stable naming: BANWARD_WEB_ERR_* for errors, BANWARD_WEB_Wnnn for warnings', () => {
  for (const code of Object.keys(ERROR_CODES)) assert.match(code, /^BANWARD_WEB_ERR_[A-Z0-9_]+$/);
  for (const code of Object.keys(WARNINGS)) assert.match(code, /^BANWARD_WEB_W\d{3}$/);
});

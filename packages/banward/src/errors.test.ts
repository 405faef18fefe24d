import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BanwardError, ERROR_CODES } from './errors.js';
import { describeWarning, WARNING_CODES } from './warnings.js';

test('errors: the catalogue and docs/errors.md list the same codes', () => {
  const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `(BANWARD_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(ERROR_CODES).sort());
});

test('warnings: the catalogue and docs/errors.md list the same codes', () => {
  const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `(BANWARD_W_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(WARNING_CODES).sort());
});

test('warnings: describeWarning() puts file:line first and the code last', () => {
  assert.equal(describeWarning({ code: 'BANWARD_W_REGEX_BACKTRACK', message: 'slow', file: '/etc/x.conf', line: 3 }), '/etc/x.conf:3: slow [BANWARD_W_REGEX_BACKTRACK]');
  assert.equal(describeWarning({ code: 'BANWARD_W_REGEX_BACKTRACK', message: 'slow' }), 'slow [BANWARD_W_REGEX_BACKTRACK]');
});

test('errors: describe() puts file:line first', () => {
  const error = new BanwardError('BANWARD_ERR_REGEX', 'bad', { file: '/etc/x.conf', line: 3 });
  assert.equal(error.describe(), '/etc/x.conf:3: bad');
  assert.equal(new BanwardError('BANWARD_ERR_USAGE', 'no').describe(), 'no');
});

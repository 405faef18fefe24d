import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BanwardError, ERROR_CODES } from './errors.js';

test('errors: the catalogue and docs/errors.md list the same codes', () => {
  const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `(BANWARD_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(ERROR_CODES).sort());
});

test('errors: describe() puts file:line first', () => {
  const error = new BanwardError('BANWARD_ERR_REGEX', 'bad', { file: '/etc/x.conf', line: 3 });
  assert.equal(error.describe(), '/etc/x.conf:3: bad');
  assert.equal(new BanwardError('BANWARD_ERR_USAGE', 'no').describe(), 'no');
});

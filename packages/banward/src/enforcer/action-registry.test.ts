import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../log/logger.js';
import { resolveAction } from './action-registry.js';

const ctx = {
  jail: 'sshd',
  clock: () => 1_700_000_000,
  log: createLogger({ level: 'error', write: () => {} }),
  configDir: mkdtempSync(join(tmpdir(), 'banward-actions-')),
  jailOptions: {},
};

test('issue 11: an action named after an Object.prototype property is unknown, not the prototype\'s function', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    const resolved = resolveAction(name, ctx);
    assert.equal(resolved.action, null, name);
    assert.match(resolved.reason ?? '', /not available/, name);
  }
});

test('a native action resolves by name', () => {
  const resolved = resolveAction('log', ctx);
  assert.equal(resolved.action?.name, 'log');
});

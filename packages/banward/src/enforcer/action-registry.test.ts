import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../log/logger.js';
import { clearToolChecks } from '../process/index.js';
import { resolveAction } from './action-registry.js';

const ctx = {
  jail: 'sshd',
  clock: () => 1_700_000_000,
  log: createLogger({ level: 'error', write: () => {} }),
  configDir: mkdtempSync(join(tmpdir(), 'banward-actions-')),
  jailOptions: {},
};

test('issue 11: an action named after an Object.prototype property is unknown, not the prototype\'s function', async () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    const resolved = await resolveAction(name, ctx);
    assert.equal(resolved.action, null, name);
    assert.match(resolved.reason ?? '', /not available/, name);
  }
});

test('a native action resolves by name', async () => {
  const resolved = await resolveAction('log', ctx);
  assert.equal(resolved.action?.name, 'log');
});

test('jails start without a blocking nft check each: nft is asked once for many jails, and again after a reload clears the checks', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'banward-fake-nft-'));
  const runs = join(bin, 'runs');
  writeFileSync(runs, '');
  writeFileSync(join(bin, 'nft'), `#!/bin/sh\necho "$*" >> ${runs}\n`);
  chmodSync(join(bin, 'nft'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path ?? ''}`;
  try {
    clearToolChecks();
    const jails = Array.from({ length: 30 }, (_, i) => `jail${i}`);
    const resolved = await Promise.all(jails.map((jail) => resolveAction('nftables[port=ssh]', { ...ctx, jail })));
    assert.deepEqual(resolved.map((r) => r.action?.name), jails.map(() => 'nftables'));
    assert.deepEqual(readFileSync(runs, 'utf8'), 'list tables\n');
    clearToolChecks();
    await resolveAction('nftables', ctx);
    assert.deepEqual(readFileSync(runs, 'utf8'), 'list tables\nlist tables\n');
  } finally {
    process.env.PATH = path;
    clearToolChecks();
  }
});

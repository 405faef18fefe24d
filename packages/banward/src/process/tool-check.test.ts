import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkTool, clearToolChecks } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'banward-tool-check-'));

/** A tool that counts its runs in a file and exits with `status`. */
function countingTool(name: string, status: number): { path: string; runs: () => number } {
  const path = join(dir, name);
  const count = join(dir, `${name}.runs`);
  writeFileSync(count, '');
  writeFileSync(path, `#!/bin/sh\necho run >> ${count}\necho "${name}: permission denied" >&2\nexit ${status}\n`);
  chmodSync(path, 0o755);
  return { path, runs: () => readFileSync(count, 'utf8').split('\n').filter(Boolean).length };
}

test('the cached tool check is called once for many jails, and again after clearToolChecks()', async () => {
  const tool = countingTool('fw', 0);
  const answers = await Promise.all(Array.from({ length: 50 }, () => checkTool(tool.path, ['list', 'tables'])));
  assert.ok(answers.every((a) => a.ok));
  assert.equal(tool.runs(), 1);
  await checkTool(tool.path, ['list', 'tables']);
  assert.equal(tool.runs(), 1);
  await checkTool(tool.path, ['other']);
  assert.equal(tool.runs(), 2, 'other arguments are another check');
  clearToolChecks();
  await checkTool(tool.path, ['list', 'tables']);
  assert.equal(tool.runs(), 3, 'a reload asks again');
});

test('a tool check says why a tool cannot run', async () => {
  const denied = countingTool('denied', 1);
  assert.deepEqual(await checkTool(denied.path, ['list']), { ok: false, reason: `${denied.path} list failed (exit status 1): denied: permission denied` });
  assert.deepEqual(await checkTool(join(dir, 'absent'), []), { ok: false, reason: `${join(dir, 'absent')} cannot run: not installed` });
});

import { strict as assert } from 'node:assert';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger, isLogLevel } from './logger.js';

const root = await mkdtemp(join(tmpdir(), 'banward-log-'));
after(() => rm(root, { recursive: true, force: true }));

test('issue 11 defect 12: the log file is created 0640, not world-readable, even under umask 0', async () => {
  const file = join(root, 'new.log');
  const previous = process.umask(0);
  try {
    createLogger({ level: 'info', file }).notice('Found 203.0.113.5 - user alice');
  } finally {
    process.umask(previous);
  }
  assert.equal((await stat(file)).mode & 0o777, 0o640);
});

test('issue 11 defect 12: an existing log file keeps its mode, never widened', async () => {
  const file = join(root, 'narrow.log');
  await writeFile(file, '', { mode: 0o600 });
  createLogger({ level: 'info', file }).notice('Ban 203.0.113.5');
  const info = await stat(file);
  assert.equal(info.mode & 0o777, 0o600);
  assert.ok(info.size > 0, 'the line was written');
});

test('logger: an inherited name is not a log level', () => {
  assert.ok(isLogLevel('debug'));
  for (const name of ['constructor', '__proto__', 'toString', 'valueOf']) assert.equal(isLogLevel(name), false, name);
});

import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger, isLogLevel } from './logger.js';

const root = await mkdtemp(join(tmpdir(), 'banward-log-'));
after(() => rm(root, { recursive: true, force: true }));
/** A file logger writes what one turn of the event loop logged when the turn is over. */
const turnEnds = () => new Promise((resolve) => setImmediate(resolve));

test('issue 11 defect 12: the log file is created 0640, not world-readable, even under umask 0', async () => {
  const file = join(root, 'new.log');
  const previous = process.umask(0);
  try {
    createLogger({ level: 'info', file }).notice('Found 203.0.113.5 - user alice');
    await turnEnds();
  } finally {
    process.umask(previous);
  }
  assert.equal((await stat(file)).mode & 0o777, 0o640);
});

test('issue 11 defect 12: an existing log file keeps its mode, never widened', async () => {
  const file = join(root, 'narrow.log');
  await writeFile(file, '', { mode: 0o600 });
  createLogger({ level: 'info', file }).notice('Ban 203.0.113.5');
  await turnEnds();
  const info = await stat(file);
  assert.equal(info.mode & 0o777, 0o600);
  assert.ok(info.size > 0, 'the line was written');
});

test('a file logger writes the lines of one turn in order once the turn ends, and follows the file after logrotate moved it', async () => {
  const file = join(root, 'rotated.log');
  const log = createLogger({ level: 'info', file }).child('sshd');
  for (let i = 1; i <= 3; i++) log.notice(`Ban 192.0.2.${i}`);
  await turnEnds();
  await rename(file, `${file}.1`);
  log.notice('Ban 192.0.2.4');
  await turnEnds();
  const bans = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((line) => line.replace(/^.* \[sshd\] /, ''));
  assert.deepEqual(await bans(`${file}.1`), ['Ban 192.0.2.1', 'Ban 192.0.2.2', 'Ban 192.0.2.3']);
  assert.deepEqual(await bans(file), ['Ban 192.0.2.4']);
});

test('logger: an inherited name is not a log level', () => {
  assert.ok(isLogLevel('debug'));
  for (const name of ['constructor', '__proto__', 'toString', 'valueOf']) assert.equal(isLogLevel(name), false, name);
});

import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSource, type FileSourceOptions } from './file-source.js';
import { MAX_LINE_LENGTH } from './line-reader.js';
import { MapPositions, pause, recorder, tempDir, waitFor, type Recorder } from './_test-support.js';

/** Short intervals so every check path (events, safety poll, glob refresh) runs within a test. */
function fileSource(logpath: FileSourceOptions['logpath'], rec: Recorder, more: Partial<FileSourceOptions> = {}): FileSource {
  return new FileSource({ id: 'test:file', logpath, safetyInterval: 100, pollInterval: 50, ...more }, rec.ctx);
}

test('appended lines arrive in order; a partial last line waits for its newline', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, 'old 1\nold 2\n');
  const rec = recorder();
  const source = fileSource([file], rec);
  await source.start();
  await waitFor(() => rec.lines.length === 2, 'the existing lines (head is the default)');
  appendFileSync(file, 'one\ntw');
  await waitFor(() => rec.lines.length === 3, 'the complete line');
  await pause(150); // a safety-net poll passes: the partial line must still be held
  assert.deepEqual(rec.texts(), ['old 1', 'old 2', 'one']);
  appendFileSync(file, 'o\nthree\r\n');
  await waitFor(() => rec.lines.length === 5, 'the completed line');
  await source.stop();
  assert.deepEqual(rec.texts(), ['old 1', 'old 2', 'one', 'two', 'three']);
  assert.ok(rec.lines.every((l) => l.origin === file && l.time === undefined));
  assert.deepEqual(rec.lines.map((l) => l.backlog === true), [true, true, false, false, false], 'issue 11 defect 6: what the file held at start is the backlog');
});

test('` tail` starts at the end of a file known at start; a line longer than the bound is cut', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, 'before start\n');
  const rec = recorder();
  const source = fileSource([`${file} tail`], rec);
  await source.start();
  appendFileSync(file, `${'x'.repeat(MAX_LINE_LENGTH * 3)}\nafter\n`);
  await waitFor(() => rec.lines.length === 2, 'the two new lines');
  await source.stop();
  assert.deepEqual(rec.texts(), ['x'.repeat(MAX_LINE_LENGTH), 'after']);
});

test('issue 11: a followed line longer than the bound keeps its start and its end (the address a daemon writes last)', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, '');
  const rec = recorder();
  const source = fileSource([file], rec);
  await source.start();
  const name = 'é'.repeat(80_000) + 'z'.repeat(80_000);
  appendFileSync(file, `Login Fail '${name}' by 203.0.113.5\r\nLogin Fail 'short' by 198.51.100.7\n`);
  await waitFor(() => rec.lines.length === 2, 'the two lines');
  await source.stop();
  const [cut, next] = rec.texts();
  assert.equal(cut!.length, MAX_LINE_LENGTH);
  assert.ok(cut!.startsWith("Login Fail 'ééé"));
  assert.ok(cut!.endsWith("zzz' by 203.0.113.5"));
  assert.equal(next, "Login Fail 'short' by 198.51.100.7");
});

test('logencoding: latin1 decodes its bytes; the default UTF-8 replaces invalid bytes', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  const latin = recorder();
  const utf = recorder();
  const a = fileSource([file], latin, { encoding: 'latin1' });
  const b = fileSource([file], utf);
  await a.start();
  await b.start();
  await waitFor(() => latin.lines.length === 1 && utf.lines.length === 1, 'both decodings');
  await a.stop();
  await b.stop();
  assert.deepEqual([latin.texts(), utf.texts()], [['café'], ['caf\uFFFD']]);
  assert.throws(() => fileSource([file], utf, { encoding: 'no-such-encoding' }), /logencoding/);
});

test('a glob picks up a file created after start, and drops a file that was removed', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.log'), 'a1\n');
  const rec = recorder();
  const source = fileSource([join(dir, '*.log')], rec);
  await source.start();
  await waitFor(() => rec.lines.length === 1, 'a.log');
  writeFileSync(join(dir, 'b.log'), 'b1\nb2\n');
  writeFileSync(join(dir, 'b.txt'), 'not matched\n');
  await waitFor(() => rec.lines.length === 3, 'b.log, created after start');
  assert.deepEqual(rec.lines.slice(1), [{ text: 'b1', origin: join(dir, 'b.log') }, { text: 'b2', origin: join(dir, 'b.log') }]);
  unlinkSync(join(dir, 'a.log'));
  await waitFor(() => !source.files().includes(join(dir, 'a.log')), 'a.log to be dropped');
  await source.stop();
  assert.deepEqual(rec.warnings, []);
});

test('a glob whose directory appears after start is found through inotify alone (no safety poll in time)', async () => {
  const dir = tempDir();
  const rec = recorder();
  const source = fileSource([join(dir, 'logs', '*.log')], rec, { safetyInterval: 600_000 });
  await source.start();
  assert.deepEqual(source.describe(), [`${join(dir, 'logs', '*.log')} (no file yet)`]);
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'logs', 'day2.log'), 'd1\n');
  await waitFor(() => rec.lines.length === 1, 'the file in the new directory');
  assert.deepEqual(source.describe(), [join(dir, 'logs', 'day2.log')]);
  renameSync(join(dir, 'logs', 'day2.log'), join(dir, 'logs', 'day2.log.1'));
  writeFileSync(join(dir, 'logs', 'day2.log'), 'd2\n');
  await waitFor(() => rec.lines.length === 2, 'the file after its rotation');
  await source.stop();
  assert.deepEqual(rec.texts(), ['d1', 'd2']);
  assert.equal(rec.warnings.length, 1, 'one warning: no match yet');
});

test('a missing file is waited for, with one warning, and read whole when it appears', async () => {
  const file = join(tempDir(), 'later.log');
  const rec = recorder();
  const source = fileSource([`${file} tail`], rec);
  await source.start();
  await pause(300); // several checks pass while the file is missing
  assert.equal(rec.warnings.length, 1);
  assert.match(rec.warnings[0]!, /later\.log does not exist yet/);
  writeFileSync(file, 'first\nsecond\n');
  await waitFor(() => rec.lines.length === 2, 'the new file, from its start (tail applies to files known at start)');
  await source.stop();
  assert.deepEqual(rec.texts(), ['first', 'second']);
  assert.equal(rec.warnings.length, 1);
});

test('restart resumes at the saved position; a file replaced meanwhile is read from 0', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, 'a\nb\nc\n');
  const positions = new MapPositions();
  const first = recorder(positions);
  let source = fileSource([file], first);
  await source.start();
  await waitFor(() => first.lines.length === 3, 'the first lines');
  await source.stop();
  assert.deepEqual(positions.getPosition(`test:file:${file}`), {
    kind: 'file', offset: 6, firstLineHash: '60b725f10c9c85c70d97880dfe8191b3', inode: statSync(file).ino,
  });

  appendFileSync(file, 'd\ne\n');
  const second = recorder(positions);
  source = fileSource([file], second);
  await source.start();
  await waitFor(() => second.lines.length === 2, 'the lines appended while stopped');
  await source.stop();
  assert.deepEqual(second.texts(), ['d', 'e']);

  writeFileSync(`${file}.new`, 'other 1\nother 2\nother 3\nother 4\n');
  renameSync(`${file}.new`, file);
  const third = recorder(positions);
  source = fileSource([file], third);
  await source.start();
  await waitFor(() => third.lines.length === 4, 'the replaced file, from its start');
  await source.stop();
  assert.deepEqual(third.texts(), ['other 1', 'other 2', 'other 3', 'other 4']);
});

test('polling backend: fs.watch unavailable (watch: null) still delivers lines and follows a rename', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, '');
  const rec = recorder();
  const source = fileSource([file], rec, { watch: null, polling: true });
  await source.start();
  appendFileSync(file, 'p1\n');
  await waitFor(() => rec.lines.length === 1, 'a polled line');
  renameSync(file, `${file}.1`);
  writeFileSync(file, 'p2\n');
  await waitFor(() => rec.lines.length === 2, 'the new file after the rename');
  await source.stop();
  assert.deepEqual(rec.texts(), ['p1', 'p2']);
});

test('inotify unavailable (fs.watch throws): the safety-net poll still delivers', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, '');
  const rec = recorder();
  const noInotify = (() => { throw Object.assign(new Error('inotify unavailable'), { code: 'ENOSYS' }); }) as unknown as NonNullable<FileSourceOptions['watch']>;
  const source = fileSource([file], rec, { watch: noInotify });
  await source.start();
  appendFileSync(file, 'safety\n');
  await waitFor(() => rec.lines.length === 1, 'a line found by the safety-net poll');
  await source.stop();
  assert.deepEqual(rec.texts(), ['safety']);
});

test('backpressure: while the consumer\'s promise is pending no more lines are read; then reading resumes', async () => {
  const file = join(tempDir(), 'app.log');
  writeFileSync(file, 'first\n');
  const rec = recorder();
  let release = (): void => {};
  const held = new Promise<void>((resolve) => { release = resolve; });
  const record = rec.ctx.onLines.bind(rec.ctx);
  rec.ctx.onLines = (batch) => {
    const wait = record(batch);
    return rec.lines.length === 1 ? held : wait;
  };
  const source = fileSource([file], rec);
  await source.start();
  await waitFor(() => rec.lines.length === 1, 'the first line');
  appendFileSync(file, 'second\n');
  await pause(300); // inotify events and several polls pass: none may read while the consumer is full
  assert.deepEqual(rec.texts(), ['first']);
  release();
  await waitFor(() => rec.lines.length === 2, 'the second line after the consumer is ready');
  await source.stop();
  assert.deepEqual(rec.texts(), ['first', 'second']);
});

test('issue 14: stats() counts the lines delivered and the bytes each file is ahead of the reader', async () => {
  const file = join(tempDir(), 'app.log');
  const line = `${'x'.repeat(99)}\n`;
  writeFileSync(file, line.repeat(3000));
  const rec = recorder();
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => { release = resolve; });
  // The consumer holds the first batch: the source reads no further, so the rest of the file is lag.
  const ctx = { ...rec.ctx, onLines: (batch: Parameters<typeof rec.ctx.onLines>[0]) => { rec.lines.push(...batch); return rec.lines.length === batch.length ? held : undefined; } };
  const source = new FileSource({ id: 'test:file', logpath: [file], safetyInterval: 100, pollInterval: 50 }, ctx);
  await source.start();
  await waitFor(() => rec.lines.length > 0, 'the first batch');
  const waiting = source.stats();
  assert.equal(waiting.linesRead, rec.lines.length);
  const unread = statSync(file).size - rec.lines.length * line.length;
  assert.equal(waiting.lag.length, 1);
  assert.equal(waiting.lag[0]!.file, file);
  // The reader may hold the start of the next line (read, not yet delivered): less than a line.
  const bytes = waiting.lag[0]!.bytes;
  assert.ok(bytes > unread - line.length && bytes <= unread, `lag ${bytes}, ${unread} bytes not delivered`);
  release();
  await waitFor(() => rec.lines.length === 3000, 'the rest once released');
  assert.deepEqual(source.stats(), { linesRead: 3000, lag: [{ file, bytes: 0 }] });
  await source.stop();
});

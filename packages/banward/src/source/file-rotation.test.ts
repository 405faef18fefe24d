import { strict as assert } from 'node:assert';
import { copyFileSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileSource } from './file-source.js';
import { lineNumbers, recorder, startWriter, tempDir, waitFor } from './_test-support.js';

const COUNT = 5000;

function numbersIn(path: string): number[] {
  return [...lineNumbers(readFileSync(path, 'utf8').split('\n').filter(Boolean)).keys()];
}

for (const polling of [false, true]) {
  test(`rename rotation (logrotate create) under continuous writes: every line arrives exactly once${polling ? ' (polling)' : ''}`, async () => {
    const file = join(tempDir(), 'app.log');
    writeFileSync(file, '');
    const rec = recorder();
    const source = new FileSource({ id: 'rot:file', logpath: [file], polling, pollInterval: 50, safetyInterval: 100 }, rec.ctx);
    await source.start();
    // Each line in two writes: the reader meets partial lines all along.
    const writer = startWriter(file, COUNT, true);
    await waitFor(() => writer.written() >= COUNT / 3, 'the writer to be a third through');
    renameSync(file, `${file}.1`);
    writeFileSync(file, '');
    // The writer goes on writing into the renamed file until it reopens the path (its SIGHUP).
    await waitFor(() => writer.written() >= (2 * COUNT) / 3, 'more lines into the renamed file');
    await writer.reopen();
    await writer.done;
    await waitFor(() => rec.lines.length >= COUNT, `${COUNT} lines (have ${rec.lines.length})`);
    await source.stop();
    const counts = lineNumbers(rec.texts());
    assert.equal(counts.size, COUNT);
    assert.ok([...counts.values()].every((n) => n === 1), 'no line twice');
    assert.ok(numbersIn(`${file}.1`).length > COUNT / 3 && numbersIn(file).length > 0, 'both files got lines');
  });
}

test(
  'copytruncate under continuous writes: no line twice, every line written after the truncate arrives '
  + '(lines written between the copy and the truncate are lost by copytruncate itself)',
  async () => {
    const file = join(tempDir(), 'app.log');
    writeFileSync(file, '');
    const rec = recorder();
    const source = new FileSource({ id: 'ct:file', logpath: [file], safetyInterval: 100 }, rec.ctx);
    await source.start();
    const writer = startWriter(file, COUNT);
    await waitFor(() => rec.lines.length >= COUNT / 3, 'the reader to be a third through');
    const readBeforeCopy = rec.lines.length;
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    await writer.done;
    const afterTruncate = numbersIn(file);
    await waitFor(() => {
      const arrived = lineNumbers(rec.texts());
      return afterTruncate.every((n) => arrived.has(n));
    }, 'every line of the truncated file');
    await source.stop();
    const counts = lineNumbers(rec.texts());
    assert.ok([...counts.values()].every((n) => n === 1), 'no line twice');
    assert.ok(afterTruncate.length > 0, 'the writer went on after the truncate');
    // What was read before the copy was read in order, from line 0.
    assert.deepEqual([...counts.keys()].slice(0, readBeforeCopy), [...Array(readBeforeCopy).keys()]);
    assert.ok([...counts.keys()].every((n) => n < COUNT), 'only written lines');
  },
);

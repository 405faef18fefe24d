import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { LogPosition } from './log-position.js';
import { PositionSaver } from './_position-saver.js';

const at = (offset: number): LogPosition => ({ kind: 'file', offset, firstLineHash: '' });
const offsets = (written: number[]) => ({
  getPosition: () => undefined,
  setPosition: (_: string, p: LogPosition) => { if (p.kind === 'file') written.push(p.offset); },
});

test('issue 11 kill soak finding: a position is written only once the lines before it are counted', async () => {
  const written: number[] = [];
  const store = offsets(written);
  let count!: () => void;
  const saver = new PositionSaver(store, 0, () => new Promise<void>((resolve) => { count = resolve; }));
  saver.mark('sshd:file:/var/log/auth.log', () => at(100));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [], 'nothing written while the jail still holds the lines');
  count();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [100]);
});

test('a save that settles after a later one does not move the position back', async () => {
  const written: number[] = [];
  const store = offsets(written);
  const counted: Array<() => void> = [];
  const saver = new PositionSaver(store, 0, () => new Promise<void>((resolve) => counted.push(resolve)));
  saver.mark('k', () => at(100));
  saver.mark('k', () => at(200));
  counted[1]!();
  counted[0]!();
  await saver.flush();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [200]);
});

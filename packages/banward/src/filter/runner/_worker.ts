import { parentPort, workerData } from 'node:worker_threads';
import { Filter } from '../filter.js';
import { packFailures, transferables } from './_packed-failures.js';
import { batchLines, HB, REGEX_KINDS, type BatchMessage, type ResultMessage, type WorkerInit } from './_protocol.js';
import { matchLines } from './line-matcher.js';

const init = workerData as WorkerInit;
const hb = new Int32Array(init.heartbeat);
let now = 0;

// The first lines would pay for compiling the date templates (both forms) under the watchdog; a
// throwaway filter pays it first, since V8 shares compiled code between equal regexes of one thread.
const warm = new Filter({ ...init.spec, now: () => now });
for (const line of ['warm up', 'warm up \u00e9', '2026-01-01 00:00:00 warm up']) warm.processLine(line);
const filter = new Filter({
  ...init.spec,
  now: () => now,
  onRegex: (kind, index) => {
    Atomics.store(hb, HB.kind, REGEX_KINDS.indexOf(kind));
    Atomics.store(hb, HB.regex, index);
  },
});

parentPort!.on('message', (batch: BatchMessage) => {
  now = batch.now;
  const start = performance.now();
  Atomics.store(hb, HB.batch, batch.id);
  Atomics.store(hb, HB.busy, 1);
  const found = matchLines(filter, batchLines(batch), new Set(batch.skip), (i) => {
    Atomics.store(hb, HB.line, i);
    Atomics.store(hb, HB.kind, 0);
    Atomics.add(hb, HB.lines, 1);
  });
  Atomics.store(hb, HB.busy, 0);
  const seconds = (performance.now() - start) / 1000;
  const packed = packFailures(found, batch.texts);
  parentPort!.postMessage({ id: batch.id, found: packed, seconds } satisfies ResultMessage, transferables(packed));
});

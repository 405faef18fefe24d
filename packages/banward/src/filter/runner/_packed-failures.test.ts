import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Failure } from '../failure.js';
import type { MatchedLines } from './line-matcher.js';
import { packFailures, transferables, unpackFailures } from './_packed-failures.js';

const failure = fc.record({
  id: fc.string(),
  idKind: fc.constantFrom('ip' as const, 'host' as const, 'other' as const),
  time: fc.double({ noNaN: true }),
  timeShift: fc.option(fc.integer({ min: -100_000, max: 100_000 }), { nil: undefined }),
  ownLines: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }),
  captures: fc.dictionary(fc.string(), fc.string(), { maxKeys: 3, noNullPrototype: true }),
  nofail: fc.boolean(),
});

test('packed failures: what crosses back from the worker unpacks to the very failures found, line by line', () => {
  fc.assert(fc.property(fc.array(fc.array(failure, { maxLength: 3 }), { maxLength: 8 }), (perLine) => {
    const texts = perLine.map((_, i) => `line ${i}`);
    const found: MatchedLines = perLine.flatMap((failures, index) => failures.length === 0 ? [] : [[index, failures.map((f): Failure => ({
      id: f.id,
      idKind: f.idKind,
      time: f.time,
      ...(f.timeShift === undefined ? {} : { timeShift: f.timeShift }),
      lines: f.ownLines ?? [texts[index]!],
      captures: f.captures,
      nofail: f.nofail,
    }))] as const]);
    const packed = structuredClone(packFailures(found, texts));
    assert.deepEqual(unpackFailures(packed, texts), found);
  }));
});

test('packed failures: a failure on its own line carries no copy of it, and the columns are transferable', () => {
  const texts = ['login failed from 192.0.2.1', 'noise'];
  const packed = packFailures([[0, [{ id: '192.0.2.1', idKind: 'ip', time: 5, lines: [texts[0]!], captures: { ip4: '192.0.2.1' }, nofail: false }]]], texts);
  assert.deepEqual(packed.lines, []);
  assert.equal(transferables(packed).length, 5);
  assert.ok(transferables(packed).every((b) => b instanceof ArrayBuffer));
});

test('fuzz finding: a capture named __proto__ crosses back as a capture, not as the object\'s prototype', () => {
  const texts = ['line'];
  const captures = Object.fromEntries([['__proto__', 'x'], ['user', 'root']]) as Record<string, string>;
  const found: MatchedLines = [[0, [{ id: '192.0.2.1', idKind: 'ip', time: 1, lines: ['line'], captures, nofail: false }]]];
  const [[, [failure]]] = unpackFailures(structuredClone(packFailures(found, texts)), texts) as [[number, Failure[]]];
  assert.deepEqual(Object.entries(failure!.captures), [['__proto__', 'x'], ['user', 'root']]);
  assert.equal(Object.getPrototypeOf(failure!.captures), Object.prototype);
});

import type { Failure, IdKind } from '../failure.js';
import type { MatchedLines } from './line-matcher.js';

/**
 * A batch's failures as they cross back from the worker: columns instead of an object per failure, so
 * the structured clone copies a few typed arrays (transferred, not copied) and strings. A failure whose
 * lines are just the text of the line it was found on (nearly all) carries no lines: the jail has the text.
 */
export interface PackedFailures {
  /** The line of the batch each failure was found on, in order. */
  index: Int32Array;
  time: Float64Array;
  /** The Failure's timeShift; NaN when it has none. */
  shift: Float64Array;
  /** The idKind, nofail and OWN_LINES bits. */
  flags: Uint8Array;
  ids: string[];
  /** The key sets of the captures: most failures of a filter share one, so they cross once a batch. */
  captureKeys: string[][];
  /** Each failure's key set (an index into captureKeys); its values follow each other in captureValues. */
  captureShape: Int32Array;
  captureValues: string[];
  /** The lines of the failures flagged OWN_LINES, in order. */
  lines: Array<readonly string[]>;
}

const KINDS: readonly IdKind[] = ['ip', 'host', 'other'];
const KIND_MASK = 3;
const NOFAIL = 4;
const OWN_LINES = 8;

export function packFailures(found: MatchedLines, texts: readonly string[]): PackedFailures {
  const count = found.reduce((n, [, failures]) => n + failures.length, 0);
  const packed: PackedFailures = {
    index: new Int32Array(count), time: new Float64Array(count), shift: new Float64Array(count), flags: new Uint8Array(count),
    ids: [], captureKeys: [], captureShape: new Int32Array(count), captureValues: [], lines: [],
  };
  const shapes = new Map<string, number>();
  // Nearly every failure of a filter has the last one's key set: compared key by key, not serialised.
  let lastKeys: readonly string[] = [];
  let lastShape = -1;
  let k = 0;
  for (const [index, failures] of found) {
    for (const f of failures) {
      const own = f.lines.length !== 1 || f.lines[0] !== texts[index];
      packed.index[k] = index;
      packed.time[k] = f.time;
      packed.shift[k] = f.timeShift ?? Number.NaN;
      packed.flags[k] = KINDS.indexOf(f.idKind) | (f.nofail ? NOFAIL : 0) | (own ? OWN_LINES : 0);
      packed.ids.push(f.id);
      const keys = Object.keys(f.captures);
      if (lastShape < 0 || !sameKeys(keys, lastKeys)) {
        const signature = JSON.stringify(keys);
        let shape = shapes.get(signature);
        if (shape === undefined) {
          shape = packed.captureKeys.push(keys) - 1;
          shapes.set(signature, shape);
        }
        lastKeys = keys;
        lastShape = shape;
      }
      packed.captureShape[k] = lastShape;
      for (const key of keys) packed.captureValues.push(f.captures[key]!);
      if (own) packed.lines.push(f.lines);
      k++;
    }
  }
  return packed;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The buffers postMessage can hand over instead of copying. */
export function transferables(packed: PackedFailures): ArrayBuffer[] {
  return [packed.index.buffer, packed.time.buffer, packed.shift.buffer, packed.flags.buffer, packed.captureShape.buffer] as ArrayBuffer[];
}

export function unpackFailures(packed: PackedFailures, texts: readonly string[]): MatchedLines {
  const found: Array<[number, Failure[]]> = [];
  let own = 0;
  let value = 0;
  for (let k = 0; k < packed.ids.length; k++) {
    const index = packed.index[k]!;
    const flags = packed.flags[k]!;
    const shift = packed.shift[k]!;
    const captures: Record<string, string> = {};
    for (const key of packed.captureKeys[packed.captureShape[k]!]!) {
      // Assigning __proto__ would set the prototype: defined, it stays a capture like any other.
      if (key === '__proto__') Object.defineProperty(captures, key, { value: packed.captureValues[value++]!, enumerable: true, writable: true, configurable: true });
      else captures[key] = packed.captureValues[value++]!;
    }
    const failure: { -readonly [K in keyof Failure]: Failure[K] } = {
      id: packed.ids[k]!,
      idKind: KINDS[flags & KIND_MASK]!,
      time: packed.time[k]!,
      lines: flags & OWN_LINES ? packed.lines[own++]! : [texts[index]!],
      captures,
      nofail: (flags & NOFAIL) !== 0,
    };
    if (!Number.isNaN(shift)) failure.timeShift = shift;
    const last = found[found.length - 1];
    if (last?.[0] === index) last[1].push(failure);
    else found.push([index, [failure]]);
  }
  return found;
}

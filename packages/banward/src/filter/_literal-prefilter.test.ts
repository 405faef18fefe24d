import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bundledConfigDir } from '../cli/_paths.js';
import { readFilter } from '../config/index.js';
import { fixedClock } from '../clock.js';
import { LiteralPrefilter } from './_literal-prefilter.js';
import type { TaggedRegex } from './failregex.js';
import { Filter } from './filter.js';

const CONFIG = bundledConfigDir();
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000;

/**
 * Every bundled filter's failregexes, with the buffers its sample lines give them: the line without its
 * date and, under a prefregex, its content (what Filter.findFailure scans).
 */
const FILTERS = readdirSync(`${CONFIG}/samples`).map((name) => {
  const d = readFilter(CONFIG, name);
  const filter = new Filter({
    failregex: d.failregex, ignoreregex: d.ignoreregex, ...(d.prefregex?.value ? { prefregex: d.prefregex } : {}),
    ...(d.datepattern ? { datepattern: d.datepattern.value } : {}), now: fixedClock(NOW), checkFindTime: false,
  });
  const buffers = readFileSync(`${CONFIG}/samples/${name}`, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const date = filter.dateDetector.detect(line);
    const buf = date ? `${line.slice(0, date.start)}${line.slice(date.end)}\n` : `${line}\n`;
    const content = filter.prefRegex?.search(buf, [['', '', buf]])?.groups['content'];
    return typeof content === 'string' ? `${content}\n` : buf;
  });
  return { name, regexes: filter.failRegexes, buffers };
});

/** What the filter asks of each regex without the prefilter: its own mayMatch. */
function assertSameAsMayMatch(regexes: readonly TaggedRegex[], prefilter: LiteralPrefilter, buf: string): void {
  const mask = prefilter.scan(buf);
  regexes.forEach((r, i) => {
    assert.equal(mask[i] === 1, r.regex.mayMatch(buf), `regex ${i} (${r.original}) on ${JSON.stringify(buf)}`);
    if (mask[i] === 0) assert.equal(r.regex.search(buf), null, `ruled out, yet ${r.original} matches ${JSON.stringify(buf)}`);
  });
}

describe('LiteralPrefilter', () => {
  it('lets every bundled failregex through to the sample lines it matches', () => {
    let matched = 0;
    for (const { regexes, buffers } of FILTERS) {
      const prefilter = new LiteralPrefilter(regexes.map((r) => r.regex.literal));
      for (const buf of buffers) {
        assertSameAsMayMatch(regexes, prefilter, buf);
        matched += regexes.filter((r) => r.regex.search(buf) !== null).length;
      }
    }
    assert.ok(matched > 100, `the samples matched only ${matched} times`);
  });

  it('rules out only what each regex\'s literal rules out, on lines cut and spliced from the samples', () => {
    const withSamples = FILTERS.filter((f) => f.buffers.length > 0);
    const arbitrary = fc.constantFrom(...withSamples).chain((f) =>
      fc.tuple(fc.constant(f), fc.constantFrom(...f.buffers), fc.constantFrom(...f.buffers), fc.nat(), fc.nat(), fc.string({ maxLength: 8 })));
    fc.assert(fc.property(arbitrary, ([f, a, b, cutA, cutB, noise]) => {
      const prefilter = new LiteralPrefilter(f.regexes.map((r) => r.regex.literal));
      const buf = `${a.slice(cutA % (a.length + 1))}${noise}${b.slice(0, cutB % (b.length + 1))}`;
      assertSameAsMayMatch(f.regexes, prefilter, buf);
    }), { numRuns: 2000 });
  });

  it('asks a literal shared by several regexes once and marks them all', () => {
    const prefilter = new LiteralPrefilter([
      { text: 'User ', atStart: true }, { text: 'User ', atStart: true }, { text: '', atStart: false }, { text: 'from ', atStart: false },
    ]);
    assert.deepEqual([...prefilter.scan('User x from y')], [1, 1, 1, 1]);
    assert.deepEqual([...prefilter.scan('a User x')], [0, 0, 1, 0]);
  });
});

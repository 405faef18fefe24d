import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fixedClock } from '../clock.js';
import { readFilter } from '../config/index.js';
import { Filter, type FilterSpec } from '../filter/filter.js';
import { readLines } from '../source/line-reader.js';
import { bundledConfigDir } from './_paths.js';
import { canTestInParts, lineAlignedRanges, testInParts } from './_regex-parallel.js';
import { RegexSession } from './_regex-session.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000;
const KEEP = { matched: Infinity, ignored: 21, missed: 21 };
const dir = mkdtempSync(join(tmpdir(), 'banward-regex-parts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function nginxSpec(): FilterSpec {
  const d = readFilter(bundledConfigDir(), 'nginx-login');
  // One anchored date template (the filter's own {DATE} stands for several); an ignoreregex too, so
  // that its hits are added up across the parts.
  return {
    failregex: d.failregex, ignoreregex: ['^203\\.0\\.113\\.7 '], datepattern: String.raw`^\S+ \S+ [^"]* \[(%d/%b/%Y:%H:%M:%S %z)\]`,
    checkAllRegex: true, returnRawHost: true, checkFindTime: false,
  };
}

function session(spec: FilterSpec): { filter: Filter; session: RegexSession } {
  const filter: Filter = new Filter({ ...spec, now: fixedClock(NOW), onIgnoreRegex: (i) => s.onIgnoreRegex(i) });
  const s = new RegexSession(filter, spec.ignoreregex?.length ?? 0, KEEP);
  return { filter, session: s };
}

/** An access log with failures, ignored and missed lines, comments, blank and CRLF lines, and lines without a date. */
function writeLog(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const ip = `203.0.113.${i % 9}`;
    const stamp = `[14/Aug/2005:10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0200]`;
    const kind = i % 7;
    if (kind === 0) out.push(`# comment ${i}`, '');
    else if (kind === 1) out.push(`${ip} - - "POST /auth/login/ HTTP/1.1" 401 23 no date`);
    else if (kind === 2) out.push(`${ip} - - ${stamp} "GET / HTTP/1.1" 200 23 "-" "curl"\r`);
    else out.push(`${ip} - - ${stamp} "POST /auth/login/ HTTP/1.1" ${kind % 2 ? 401 : 302} 23 "-" "curl"`);
  }
  const path = join(dir, `access-${lines}.log`);
  writeFileSync(path, out.join('\n') + '\n');
  return path;
}

describe('testing a log in parts', () => {
  it('counts what one pass over the whole log counts, on worker threads', async () => {
    const path = writeLog(5000);
    const one = session(nginxSpec());
    for (const line of readLines(path)) one.session.test(line);
    for (const parts of [2, 3, 5]) {
      const split = session(nginxSpec());
      await testInParts(lineAlignedRanges(path, parts).map((range) => ({ path, range, spec: nginxSpec(), now: NOW, ignoreRegexCount: 1, keep: KEEP })), split.session, split.filter);
      const { slowest, ...inParts } = split.session.stats;
      assert.deepEqual({ ...inParts, slowest: [] }, { ...one.session.stats, slowest: [] }, `${parts} parts`);
      assert.ok(inParts.matched > 0 && inParts.ignored > 0 && inParts.missed > 0);
      assert.equal(slowest.length, 5);
      for (const s of slowest) assert.ok(s.line >= 1 && s.line <= one.session.linesRead, `line ${s.line}`);
    }
  });

  it('cuts a log at line starts, into ranges that cover it', () => {
    const path = writeLog(100);
    const ranges = lineAlignedRanges(path, 4);
    const text = readLines(path);
    assert.equal(ranges[0]!.start, 0);
    for (let k = 1; k < ranges.length; k++) assert.equal(ranges[k]!.start, ranges[k - 1]!.end);
    const lines = ranges.flatMap((range) => [...readLines(path, undefined, undefined, range)]);
    assert.deepEqual(lines, [...text]);
  });

  it('only for a filter whose verdicts depend on each line alone', () => {
    const config = bundledConfigDir();
    const make = (name: string) => {
      const d = readFilter(config, name);
      return new Filter({
        failregex: d.failregex, ...(d.prefregex?.value ? { prefregex: d.prefregex } : {}), ...(d.maxlines ? { maxlines: d.maxlines } : {}),
        ...(d.datepattern ? { datepattern: d.datepattern.value } : {}), now: fixedClock(NOW),
      });
    };
    assert.equal(canTestInParts(new Filter({ ...nginxSpec(), now: fixedClock(NOW) })), true);
    assert.equal(canTestInParts(make('nginx-login')), false, 'its {DATE} stands for several templates, which learn from earlier lines');
    assert.equal(canTestInParts(make('sshd')), false, 'sshd merges a connection\'s lines by <F-MLFID>');
    assert.equal(canTestInParts(make('django-auth')), false, 'several date templates learn from earlier lines');
    assert.equal(canTestInParts(new Filter({ failregex: ['^x <HOST>$'], maxlines: 2, datepattern: '^%Y', now: fixedClock(NOW) })), false);
  });
});

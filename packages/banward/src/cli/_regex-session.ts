import type { Filter, FilterMatch } from '../filter/filter.js';
import type { TupleLine } from '../filter/failregex.js';

export type LineResult = 'matched' | 'ignored' | 'missed';

export interface LineVerdict {
  line: number;
  text: string;
  result: LineResult;
  /** Failures that count (not pending, not <F-NOFAIL>), in regex order. */
  failures: FilterMatch[];
  dateTemplate: string | null;
}

/** How many tested lines of each kind to keep for printing. */
export interface KeepLines {
  matched: number;
  ignored: number;
  missed: number;
}

export interface SessionStats {
  lines: number;
  matched: number;
  ignored: number;
  missed: number;
  failregexHits: number[];
  ignoreregexHits: number[];
  dateTemplateHits: Map<string, number>;
  matchedLines: string[];
  ignoredLines: string[];
  missedLines: string[];
  /** The slowest tested lines, slowest first: line number and milliseconds in the filter. */
  slowest: SlowLine[];
}

export interface SlowLine {
  line: number;
  ms: number;
}

/** How many of the slowest lines the report names. */
export const SLOWEST_KEPT = 5;

/**
 * Runs lines through a filter the way fail2ban-regex does, and keeps its statistics: a line is
 * ignored when an ignoreregex or <F-NOFAIL> dropped a match, matched when a failregex found a
 * failure, missed otherwise. In multi-line mode, a missed line later used by a match is recounted.
 */
export class RegexSession {
  readonly stats: SessionStats;
  private ignoredThisLine = false;
  private lineNumber = 0;
  private readonly missedByTuple = new Map<TupleLine, string>();

  constructor(private readonly filter: Filter, ignoreRegexCount: number, private readonly keep: KeepLines) {
    this.stats = {
      lines: 0, matched: 0, ignored: 0, missed: 0,
      failregexHits: filter.failRegexes.map(() => 0),
      ignoreregexHits: Array<number>(ignoreRegexCount).fill(0),
      dateTemplateHits: new Map(),
      matchedLines: [], ignoredLines: [], missedLines: [], slowest: [],
    };
  }

  /** The hook the filter calls for each ignoreregex that drops a match. */
  readonly onIgnoreRegex = (index: number): void => {
    this.ignoredThisLine = true;
    this.stats.ignoreregexHits[index]! += 1;
  };

  /** Tests one raw line; comment and empty lines are skipped (null), as fail2ban-regex skips them. */
  test(raw: string): LineVerdict | null {
    this.lineNumber++;
    const text = raw.endsWith('\r') ? raw.replace(/\r+$/, '') : raw;
    if (text === '' || text.startsWith('#')) return null;
    const multi = this.filter.maxLineCount > 1;
    const before = multi ? this.filter.bufferedLines : [];
    this.ignoredThisLine = false;
    const started = performance.now();
    const found = this.filter.processLine(text);
    this.keepIfSlow(performance.now() - started);
    const date = this.filter.lastDateTemplate;
    if (date !== null) this.stats.dateTemplateHits.set(date, (this.stats.dateTemplateHits.get(date) ?? 0) + 1);
    const failures: FilterMatch[] = [];
    let ignored = this.ignoredThisLine;
    for (const f of found) {
      this.stats.failregexHits[f.regexIndex]! += 1;
      if (f.nofail) ignored = true;
      else failures.push(f);
    }
    if (multi) this.recountBufferedLines(before);
    return this.count(text, ignored, failures, date);
  }

  private count(text: string, ignored: boolean, failures: FilterMatch[], date: string | null): LineVerdict {
    const s = this.stats;
    s.lines++;
    let result: LineResult;
    if (ignored) { result = 'ignored'; s.ignored++; this.keepLine(s.ignoredLines, this.keep.ignored, text); }
    else if (failures.length > 0) { result = 'matched'; s.matched++; this.keepLine(s.matchedLines, this.keep.matched, text); }
    else {
      result = 'missed'; s.missed++; this.keepLine(s.missedLines, this.keep.missed, text);
      if (this.filter.maxLineCount > 1) {
        const last = this.filter.bufferedLines.at(-1);
        if (last) this.missedByTuple.set(last, text);
      }
    }
    return {
      line: this.lineNumber, text, result,
      failures: failures.every((f) => f.id !== null) ? failures : failures.filter((f) => f.id !== null),
      dateTemplate: date,
    };
  }

  private keepIfSlow(ms: number): void {
    const slowest = this.stats.slowest;
    if (slowest.length >= SLOWEST_KEPT && slowest[SLOWEST_KEPT - 1]!.ms >= ms) return;
    const at = slowest.findIndex((s) => s.ms < ms);
    if (at < 0 && slowest.length >= SLOWEST_KEPT) return;
    slowest.splice(at < 0 ? slowest.length : at, 0, { line: this.lineNumber, ms });
    slowest.length = Math.min(slowest.length, SLOWEST_KEPT);
  }

  private keepLine(list: string[], limit: number, text: string): void {
    if (list.length < limit) list.push(text);
  }

  private recountBufferedLines(before: readonly TupleLine[]): void {
    const full = before.length >= this.filter.maxLineCount;
    const now = new Set(this.filter.bufferedLines);
    for (const tuple of before.slice(full ? 1 : 0)) {
      if (now.has(tuple)) continue;
      const text = this.missedByTuple.get(tuple);
      if (text === undefined) continue;
      this.missedByTuple.delete(tuple);
      const at = this.stats.missedLines.lastIndexOf(text);
      if (at >= 0) this.stats.missedLines.splice(at, 1);
      this.stats.missed--;
      this.stats.matched++;
      this.keepLine(this.stats.matchedLines, this.keep.matched, text);
    }
    for (const tuple of this.missedByTuple.keys()) if (!now.has(tuple)) this.missedByTuple.delete(tuple);
  }
}

import type { Clock } from '../clock.js';
import { BanwardError } from '../errors.js';
import { DateDetector } from './date/index.js';
import { FailureIdCache } from './_failure-id-cache.js';
import { isAscii } from './regex/python-regex.js';
import {
  joinTupleLines, TaggedRegex, type FailGroups, type RegexHit, type TupleLine, type UseDns,
} from './failregex.js';
import { failureIdentity } from './_failure-identity.js';
import { LiteralPrefilter } from './_literal-prefilter.js';
import type { Failure, IdKind } from './failure.js';
import { toFailure } from './_to-failure.js';
import type { SourceLine } from '../source/log-source.js';

/** A regex as written, optionally with where it was written (for error messages). */
export type RegexSource = string | { value: string; file?: string; line?: number };

export interface FilterOptions {
  failregex: readonly RegexSource[];
  ignoreregex?: readonly RegexSource[];
  prefregex?: RegexSource;
  maxlines?: number;
  datepattern?: string;
  logtimezone?: string;
  usedns?: UseDns;
  now: Clock;
  /** Try every failregex on each line instead of stopping at the first (the regex tester's mode). */
  checkAllRegex?: boolean;
  /** Treat a matched DNS name as the failure id itself instead of resolving it. */
  returnRawHost?: boolean;
  /** Drop lines older than now - findTime (backlog), or move odd timestamps to now (live). */
  checkFindTime?: boolean;
  /** Whether a line is live when the caller does not say (processLine's `backlog`); default true. */
  inOperation?: boolean;
  findTime?: number;
  /** Told the index of each ignoreregex that drops a match (the regex tester counts them). */
  onIgnoreRegex?: (index: number) => void;
  /** Told before each regex is tried (the worker's heartbeat names the regex a stuck line is in). */
  onRegex?: (kind: RegexKind, index: number) => void;
}

export type RegexKind = 'datepattern' | 'prefregex' | 'failregex' | 'ignoreregex';

/** A filter's options that cross to a worker thread (everything but the clock and the callbacks). */
export type FilterSpec = Omit<FilterOptions, 'now' | 'onIgnoreRegex' | 'onRegex'>;

/**
 * A failregex's match with fail2ban's whole state (the regex tester reports it all); the jail gets a
 * `Failure` made of it instead (`failures`).
 */
export interface FilterMatch {
  regexIndex: number;
  /** The failure id: a normalised address, or the raw text of F-ID / a DNS name. Null while pending. */
  id: string | null;
  idKind: IdKind;
  /** fail2ban's <F-NOFAIL>: a match that is not a failure. */
  nofail: boolean;
  time: number | null;
  /**
   * Seconds the line's own time was off the clock (negative: behind) when a live line was counted as
   * now instead (fail2ban's timezone/latency rule); absent when its time was used as it is.
   */
  timeShift?: number;
  /** Captures, plus `matches` (the lines of the failure) and the multi-line state fail2ban keeps. */
  data: FailGroups;
}

const MULTILINE_FAILURE_ID_GROUPS = ['fid', 'ip4', 'ip6', 'dns', 'mlfid'];

/**
 * fail2ban's filter: finds the date of each line, applies prefregex, failregex and ignoreregex over a
 * buffer of up to maxlines lines, and merges multi-line failures by <F-MLFID>. It keeps no clock of its own.
 */
export class Filter {
  readonly failRegexes: readonly TaggedRegex[];
  readonly ignoreRegexes: readonly TaggedRegex[];
  readonly prefRegex: TaggedRegex | null;
  readonly dateDetector: DateDetector;
  private readonly options: Required<Pick<FilterOptions, 'checkAllRegex' | 'returnRawHost' | 'checkFindTime' | 'inOperation' | 'findTime'>>;
  private readonly maxLines: number;
  private readonly now: Clock;
  private lineBuffer: TupleLine[] = [];
  private lastTimeText = '';
  private lastDate: number | null = null;
  /** How many buffers the prefregex has matched (the regex tester reports it). */
  prefRegexMatches = 0;
  /** Name of the date template that matched the last line given to processLine, if any. */
  lastDateTemplate: string | null = null;
  private readonly mlfidCache: FailureIdCache;
  private readonly prefilter: LiteralPrefilter;
  private readonly onIgnoreRegex: ((index: number) => void) | undefined;
  private readonly onRegex: ((kind: RegexKind, index: number) => void) | undefined;

  constructor(options: FilterOptions) {
    const useDns = options.usedns ?? 'warn';
    this.maxLines = options.maxlines ?? 1;
    if (!Number.isInteger(this.maxLines) || this.maxLines <= 0) {
      throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `maxlines must be an integer greater than zero, not ${options.maxlines}`);
    }
    const multiline = this.maxLines > 1;
    this.now = options.now;
    const prefregex = options.prefregex === undefined ? '' : regexText(options.prefregex);
    this.prefRegex = prefregex ? compileAt(options.prefregex!, { useDns }) : null;
    this.failRegexes = options.failregex.map((r) => {
      const regex = compileAt(r, { multiline, useDns });
      const hasId = (x: TaggedRegex | null) => x !== null && MULTILINE_FAILURE_ID_GROUPS.some((g) => x.hasGroup(g));
      if (!hasId(regex) && !hasId(this.prefRegex)) {
        throw new BanwardError('BANWARD_ERR_REGEX', `No failure-id group in '${regexText(r)}' (use <HOST>, <ADDR>, <F-ID> or <F-MLFID>)`, where(r));
      }
      return regex;
    });
    this.ignoreRegexes = (options.ignoreregex ?? []).map((r) => compileAt(r, { useDns }));
    this.prefilter = new LiteralPrefilter(this.failRegexes.map((r) => r.regex.literal));
    this.dateDetector = new DateDetector({
      now: options.now,
      ...(options.datepattern !== undefined ? { datepattern: options.datepattern } : {}),
      ...(options.logtimezone !== undefined ? { timezone: options.logtimezone } : {}),
    });
    this.options = {
      checkAllRegex: options.checkAllRegex ?? false,
      returnRawHost: options.returnRawHost ?? useDns === 'raw',
      checkFindTime: options.checkFindTime ?? true,
      inOperation: options.inOperation ?? true,
      findTime: options.findTime ?? 600,
    };
    this.mlfidCache = new FailureIdCache(100, 300, options.now);
    this.onIgnoreRegex = options.onIgnoreRegex;
    this.onRegex = options.onRegex;
  }

  get maxLineCount(): number {
    return this.maxLines;
  }

  /** The lines held for multi-line matching (a new array each call; entries keep their identity). */
  get bufferedLines(): readonly TupleLine[] {
    return [...this.lineBuffer];
  }

  /** The failures of a source line, for the jail: a line with its own time (journal) skips date detection. */
  failures(line: SourceLine): Failure[] {
    const found = line.time === undefined
      ? this.processLine(line.text, line.backlog)
      : this.processTimedLine(['', '', line.text], line.time, line.backlog);
    const out: Failure[] = [];
    for (const match of found) {
      const failure = toFailure(match, line.text, this.now());
      if (failure) out.push(failure);
    }
    return out;
  }

  /**
   * Splits off the line's date and looks for failures. A `backlog` line (read while catching up at
   * start) older than findtime is dropped; a live one whose time is more than 60 s off counts as now.
   */
  processLine(line: string, backlog = !this.options.inOperation): FilterMatch[] {
    let tuple: TupleLine;
    let date: number | null = null;
    const ascii = isAscii(line);
    this.onRegex?.('datepattern', 0);
    const found = this.dateDetector.detect(line, ascii);
    this.lastDateTemplate = found ? found.template : null;
    if (found) {
      const text = line.slice(found.start, found.end);
      tuple = [line.slice(0, found.start), text, line.slice(found.end)];
      if (text !== '') {
        date = found.time;
        if (date !== null) {
          this.lastTimeText = text;
          this.lastDate = date;
        }
      } else if (this.lastDate !== null && this.lastDate > this.now() - 60) {
        tuple = ['', this.lastTimeText, line];
        date = this.lastDate;
      } else {
        date = this.now();
      }
    } else {
      tuple = ['', '', line];
    }
    let noDate = false;
    if (date === null) {
      noDate = true;
      if (this.lastDate !== null && this.lastDate > this.now() - 60) {
        tuple = ['', this.lastTimeText, line];
        date = this.lastDate;
      } else if (this.options.checkFindTime && !backlog) {
        date = this.now();
      }
    }
    return this.processDated(tuple, date, noDate, ascii, backlog);
  }

  /** A line whose time is already known (the journal gives it): no date detection. */
  processTimedLine(tuple: TupleLine, time: number, backlog = !this.options.inOperation): FilterMatch[] {
    this.lastTimeText = tuple[1];
    this.lastDate = time;
    return this.processDated(tuple, time, false, isAscii(tuple[0]) && isAscii(tuple[2]), backlog);
  }

  private processDated(tuple: TupleLine, date: number | null, noDate: boolean, ascii: boolean, backlog: boolean): FilterMatch[] {
    let shift: number | undefined;
    if (this.options.checkFindTime && date !== null) {
      const now = this.now();
      if (!backlog) {
        // A timestamp far from now is a zone or latency problem: count the entry as happening now.
        if (Math.abs(Math.trunc(date - now)) > 60) {
          shift = date - now;
          date = now;
          this.lastDate = date;
        }
      } else if (date < now - this.options.findTime) {
        return [];
      }
    }
    const failures = this.findFailure(tuple, date, noDate, ascii);
    if (shift !== undefined) for (const f of failures) f.timeShift = shift;
    return failures;
  }

  /** `lineAscii`: the new line has no non-ASCII character (so a buffer of it alone has none either). */
  private findFailure(tuple: TupleLine, date: number | null, noDate: boolean, lineAscii: boolean): FilterMatch[] {
    const failures: FilterMatch[] = [];
    const { checkAllRegex, returnRawHost } = this.options;
    let orgBuffer: TupleLine[];
    if (this.maxLines > 1) {
      this.lineBuffer.push(tuple);
      this.lineBuffer = this.lineBuffer.slice(-this.maxLines);
      orgBuffer = this.lineBuffer;
    } else {
      orgBuffer = this.lineBuffer = [tuple];
    }
    let buf: string | null = joinTupleLines(orgBuffer);
    let ascii = this.maxLines === 1 ? lineAscii : isAscii(buf);

    if (this.ignoreRegexes.length > 0 && this.ignoreRegexes.length < this.failRegexes.length - 2) {
      if (this.ignoreLine(buf, orgBuffer, null) !== null) return failures;
    }

    let preGroups: FailGroups | null = null;
    if (this.prefRegex) {
      this.onRegex?.('prefregex', 0);
      const pre = this.prefRegex.search(buf, orgBuffer, ascii);
      if (pre === null) return failures;
      this.prefRegexMatches++;
      preGroups = pre.groups;
      const content = preGroups['content'];
      preGroups['content'] = undefined;
      if (content) {
        this.lineBuffer = [['', '', content as string]];
        buf = (content as string) + '\n';
        if (!ascii) ascii = isAscii(buf);
      }
    }

    let scanned = buf;
    let mayMatch = this.prefilter.scan(buf);
    for (let index = 0; index < this.failRegexes.length; index++) {
      const failRegex = this.failRegexes[index]!;
      if (buf !== null) {
        if (buf !== scanned) mayMatch = this.prefilter.scan(scanned = buf);
        if (mayMatch[index] === 0) continue;
      }
      if (buf === null) {
        buf = joinTupleLines(this.lineBuffer);
        ascii = isAscii(buf);
      }
      this.onRegex?.('failregex', index);
      const hit = failRegex.search(buf, orgBuffer, ascii);
      if (hit === null) continue;
      if (this.ignoreRegexes.length > 0 && this.ignoreLine(buf, orgBuffer, hit) !== null) {
        buf = null;
        if (!checkAllRegex) break;
        continue;
      }
      if (noDate && date === null && this.options.checkFindTime) continue;
      if (!checkAllRegex || this.maxLines > 1) {
        this.lineBuffer = hit.unmatched;
        buf = null;
      }
      let fail: FailGroups = hit.groups;
      if (preGroups) fail = mergeGroups(preGroups, fail);
      const mlfid = fail['mlfid'] as string | undefined;
      if (mlfid !== undefined && mlfid !== null) {
        fail = this.mergeFailure(mlfid, fail, hit);
        if (fail['nofail'] && !checkAllRegex) return failures;
      } else {
        fail['matches'] = [...((fail['matches'] as TupleLine[] | undefined) ?? []), ...hit.matched];
      }
      const identity = failureIdentity(fail, returnRawHost, mlfid !== undefined && mlfid !== null);
      if (identity === undefined) continue;
      if (identity === null) {
        fail['mlfpending'] = 1;
        if (!checkAllRegex) return failures;
      }
      if (checkAllRegex && mlfid != null) fail = { ...fail };
      failures.push({ regexIndex: index, id: identity?.id ?? null, idKind: identity?.kind ?? 'other', nofail: Boolean(fail['nofail']), time: date, data: fail });
      if (!checkAllRegex) break;
    }
    return failures;
  }

  private ignoreLine(buf: string, orgBuffer: TupleLine[], hit: RegexHit | null): number | null {
    if (hit && this.maxLines > 1) {
      orgBuffer = hit.matched;
      buf = joinTupleLines(orgBuffer);
    }
    let found: number | null = null;
    for (let i = 0; i < this.ignoreRegexes.length; i++) {
      this.onRegex?.('ignoreregex', i);
      if (this.ignoreRegexes[i]!.search(buf, orgBuffer) === null) continue;
      found = i;
      this.onIgnoreRegex?.(i);
      if ((!this.options.checkAllRegex || this.maxLines > 1) && hit) this.lineBuffer = hit.unmatched;
      if (!this.options.checkAllRegex) break;
    }
    return found;
  }

  /** Joins the pieces of one connection's failure, seen on several lines with the same <F-MLFID>. */
  private mergeFailure(mlfid: string, fail: FailGroups, hit: RegexHit): FailGroups {
    const cached = this.mlfidCache.get(mlfid);
    let users: Set<unknown> | undefined;
    let flags = 0; // 1 nofail, 2 forget, 4 cached state was nofail/gained, 8 gained
    if (fail['mlfgained']) {
      flags |= 8 | 1;
      if (!fail['nofail']) fail['nofail'] = fail['mlfgained'];
    } else if (fail['nofail']) flags |= 1;
    if (fail['mlfforget']) flags |= 2;
    fail['mlfforget'] = undefined;
    if (cached) {
      users = addUser(cached, fail['user']);
      if (cached['nofail']) flags |= 4;
      if (cached['mlfgained']) flags |= 4;
      cached['nofail'] = cached['mlfgained'] = undefined;
      if (flags & 8) cached['mlfpending'] = undefined;
      if ((flags & 4) === 0 && !cached['mlfpending']) cached['matches'] = undefined;
      for (const k in fail) if (fail[k] !== undefined && fail[k] !== null) cached[k] = fail[k];
      fail = cached;
      if (flags & 2) this.mlfidCache.delete(mlfid);
    } else if (!(flags & 2)) {
      users = addUser(fail, fail['user']);
      this.mlfidCache.set(mlfid, fail);
    }
    const pending = fail['mlfpending'];
    fail['mlfpending'] = undefined;
    if (pending || (users && users.size > 1)) {
      fail['nofail'] = fail['mlfgained'] = undefined;
      flags &= ~(8 | 1);
    }
    if ((flags & 1) === 0) {
      const merged = [...((fail['nofail-matches'] as TupleLine[] | undefined) ?? []), ...((fail['matches'] as TupleLine[] | undefined) ?? [])];
      fail['nofail-matches'] = undefined;
      if ((flags & 8) === 0) merged.push(...hit.matched);
      fail['matches'] = merged;
    } else if ((flags & 3) === 1) {
      fail['nofail-matches'] = [...((fail['nofail-matches'] as TupleLine[] | undefined) ?? []), ...hit.matched];
    }
    return fail;
  }
}

/**
 * The prefregex's groups updated by the failregex's that took part, as fail2ban 1.1 merges them (1.0
 * let an unset failregex group clear the prefregex's; 1.1.1's dovecot takes the address from its
 * prefregex and needs 1.1's rule, and no stock 1.0.2 filter defines a group in both).
 */
function mergeGroups(pre: FailGroups, fail: FailGroups): FailGroups {
  const merged = Object.assign({}, pre, fail);
  // Unset groups are mostly absent; one the failregex left undefined or null keeps the prefregex's value.
  for (const name in fail) if ((fail[name] === undefined || fail[name] === null) && pre[name] !== undefined) merged[name] = pre[name];
  return merged;
}

function regexText(source: RegexSource): string {
  return typeof source === 'string' ? source : source.value;
}

function where(source: RegexSource): { file?: string; line?: number } {
  return typeof source === 'string' ? {} : { ...(source.file ? { file: source.file } : {}), ...(source.line ? { line: source.line } : {}) };
}

/** Compiles a regex; a failure names the file and line the regex was written on. */
function compileAt(source: RegexSource, options: { multiline?: boolean; useDns: UseDns }): TaggedRegex {
  try {
    return new TaggedRegex(regexText(source), options);
  } catch (error) {
    if (error instanceof BanwardError && typeof source !== 'string') {
      throw new BanwardError(error.code, error.message, { ...where(source), cause: error.cause });
    }
    throw error;
  }
}

function addUser(fail: FailGroups, user: unknown): Set<unknown> | undefined {
  let users = fail['users'] as Set<unknown> | undefined;
  if (!user) return users;
  if (!users) fail['users'] = users = new Set();
  users.add(user);
  return users;
}

/**
 * Finds the date in a log line with fail2ban's selection rules: try the template that won last time first
 * (within the same boundaries), otherwise search all templates, prefer the date nearest the line's start,
 * and move templates that keep winning towards the front.
 */
import { isAscii } from '../regex/python-regex.js';
import type { Clock } from '../../clock.js';
import { BanwardError } from '../../errors.js';
import { civilFromDays, SECONDS_PER_DAY } from './civil-time.js';
import { LINE_BEGIN, LINE_END, type DateTemplate } from './date-template.js';
import {
  dateKeyTemplates,
  defaultTemplates,
  lineBeginDefaults,
  patternKey,
  templateFor,
} from './default-templates.js';
import { yearRegex } from './strptime-directives.js';
import type { TimeContext } from './strptime-fields.js';
import { parseLogTimeZone, processZone } from './time-zone.js';

export interface DateMatch {
  /** Index in the line where the matched date text begins (fail2ban's `m.start(1)`). */
  start: number;
  /** Index where it ends; equal to `start` when the template matched empty text (e.g. `{NONE}`). */
  end: number;
  /** Epoch seconds (with fraction for epochs); null when the text is empty or is not a valid date. */
  time: number | null;
  /** The template's name as `fail2ban-regex` prints it under "Date template hits". */
  template: string;
}

export interface DateDetectorOptions {
  /** The `datepattern` option, verbatim; one template per line. Undefined: fail2ban's defaults. */
  datepattern?: string | undefined;
  /** `logtimezone`; undefined: the process's zone (`TZ`). */
  timezone?: string | undefined;
  now: Clock;
}

const ANCHORED = LINE_BEGIN | LINE_END;
const NO_POSITION = 0x7fffffff;
/** A template unused this long (seconds) may be displaced by one that is winning now. */
const UNUSED_TIME = 300;

interface Entry {
  template: DateTemplate;
  /** Lines this template won. */
  hits: number;
  /** Times its regex matched at all, won or not. */
  matched: number;
  lastUsed: number;
  /** Where its last win started in the line. */
  distance: number;
}

function isAlnum(ch: string): boolean {
  return ch !== '' && /^[\p{L}\p{N}]$/u.test(ch);
}

export class DateDetector {
  private readonly entries: Entry[] = [];
  private readonly names = new Set<string>();
  private readonly now: Clock;
  private readonly exYear: string;
  private readonly ctx: TimeContext;
  private lastStart = 1;
  private lastBefore = '';
  private lastFirst = '';
  private lastEnd = NO_POSITION;
  private lastLast = '';
  private lastAfter = '';
  private lastIndex = NO_POSITION;
  private firstUnused = 0;

  constructor(options: DateDetectorOptions) {
    this.now = options.now;
    const local = processZone();
    const now = options.now();
    const nowYear = civilFromDays(Math.floor((now + local.offsetAt(now)) / SECONDS_PER_DAY)).year;
    this.exYear = yearRegex(nowYear);
    const logZone = options.timezone === undefined ? undefined : parseLogTimeZone(options.timezone);
    this.ctx = { now, nowWall: now + local.offsetAt(now), local, logZone };
    const lines = (options.datepattern ?? '').split(/\n+/).map((line) => line.trim()).filter(Boolean);
    for (const line of lines) this.appendPattern(line);
  }

  /** Names of the templates in their current order (the order changes as templates win). */
  get templateNames(): string[] {
    return this.entries.map((entry) => entry.template.name);
  }

  private appendPattern(pattern: string): void {
    const key = patternKey(pattern);
    if (key === '{^LN-BEG}') return this.appendDefaults(lineBeginDefaults(this.exYear));
    // fail2ban's {DEFAULT} line adds nothing itself: an otherwise empty list falls back to the defaults.
    if (key === '{DEFAULT}') return this.appendDefaults([]);
    if (key.includes('{DATE}')) return this.appendDefaults(dateKeyTemplates(pattern, this.exYear));
    const template = key === '{NONE}' ? templateFor('{UNB}^', this.exYear, key) : templateFor(pattern, this.exYear, key);
    this.append(template, false);
  }

  private appendDefaults(templates: readonly DateTemplate[]): void {
    const ignoreDuplicates = this.entries.length > 0;
    for (const template of templates) this.append(template, ignoreDuplicates);
  }

  private append(template: DateTemplate, ignoreDuplicate: boolean): void {
    if (this.names.has(template.name)) {
      if (ignoreDuplicate) return;
      throw new BanwardError(
        'BANWARD_ERR_DATEPATTERN',
        `Invalid datepattern '${template.pattern ?? template.name}': a template named '${template.name}' is already in the list`,
      );
    }
    this.names.add(template.name);
    this.entries.push({ template, hits: 0, matched: 0, lastUsed: -Infinity, distance: NO_POSITION });
  }

  private search(entry: Entry, line: string, ascii: boolean, pos?: number, endpos?: number): RegExpExecArray | null {
    const m = entry.template.matchDate(line, pos, endpos, ascii);
    if (m !== null) entry.matched++;
    return m;
  }

  /** The date in `line`, or null when no template matches. */
  detect(line: string, ascii = isAscii(line)): DateMatch | null {
    if (this.entries.length === 0) this.appendDefaults(defaultTemplates(this.exYear).all);
    const entries = this.entries;
    const count = entries.length;
    let match: RegExpExecArray | null = null;
    let index = this.lastIndex;
    let reserve: RegExpExecArray | null = null;
    let reserveStart = NO_POSITION;
    let reserveIndex = -1;
    let skip = NO_POSITION;

    if (index < count) {
      const template = (entries[index] as Entry).template;
      if ((template.flags & ANCHORED) !== 0) {
        match = this.search(entries[index] as Entry, line, ascii);
        skip = index;
      } else {
        const start = this.lastStart;
        const end = this.lastEnd;
        const sameLeft =
          line.slice(start - 1, start) === this.lastBefore ||
          (line.slice(start, start + 1) === this.lastFirst && !isAlnum(this.lastFirst));
        const sameRight =
          line.slice(end, end + 1) === this.lastAfter ||
          (line.slice(end - 1, end) === this.lastLast && !isAlnum(this.lastLast));
        if (sameLeft && sameRight) {
          match = this.search(entries[index] as Entry, line, ascii, start, end);
        } else {
          match = this.search(entries[index] as Entry, line, ascii);
          skip = index;
        }
      }
      if (match !== null) {
        const start = match.index;
        const end = start + match[0].length;
        const samePlace = start === this.lastStart && end === this.lastEnd;
        if (!(count === 1 || (template.flags & ANCHORED) !== 0 || samePlace)) {
          // The last winner now matches elsewhere: keep it in reserve and look for a better one.
          reserve = match;
          reserveStart = start;
          reserveIndex = index;
          match = null;
        }
      }
    }

    if (match === null) {
      for (index = 0; index < count; index++) {
        if (index === skip) continue;
        const entry = entries[index] as Entry;
        match = this.search(entry, line, ascii);
        if (match === null) continue;
        const start = match.index;
        if (index + 1 >= count) break;
        if ((entry.template.flags & ANCHORED) !== 0) break;
        if (start === 0 && entry.hits > 0 && (entries[index + 1] as Entry).matched === 0) break;
        if (start > entry.distance || start > this.lastStart) {
          // Found further into the line than before: maybe a date inside the message; keep searching.
          if (start < reserveStart) {
            reserve = match;
            reserveStart = start;
            reserveIndex = index;
          }
          match = null;
          continue;
        }
        break;
      }
      if (match === null && reserve !== null) {
        match = reserve;
        index = reserveIndex;
      }
    }
    if (match === null) return null;

    const entry = entries[index] as Entry;
    const template = entry.template;
    const start = match.index;
    const end = start + match[0].length;
    const now = this.now();
    entry.hits++;
    entry.lastUsed = now;
    entry.distance = start;
    if (this.firstUnused === index) this.firstUnused++;
    this.lastStart = start;
    this.lastBefore = line.slice(start - 1, start);
    this.lastFirst = line.charAt(start);
    this.lastEnd = end;
    this.lastLast = end > 0 ? line.charAt(end - 1) : line.slice(-1);
    this.lastAfter = line.slice(end, end + 1);
    if (index !== 0 && index !== this.lastIndex) index = this.reorder(index);
    this.lastIndex = index;

    const dateStart = template.groupStart(match);
    const dateEnd = template.groupEnd(match);
    if (now !== this.ctx.now) {
      this.ctx.now = now;
      this.ctx.nowWall = now + this.ctx.local.offsetAt(now);
    }
    const time = dateEnd > dateStart ? template.getDate(match, this.ctx) : null;
    return { start: dateStart, end: dateEnd, time, template: template.name };
  }

  private weight(entry: Entry): number {
    return (entry.hits * entry.template.weight) / Math.max(1, entry.distance);
  }

  /** Moves a winning template forward; returns its new index. */
  private reorder(index: number): number {
    const entries = this.entries;
    const entry = entries[index] as Entry;
    const unusedSince = entry.lastUsed - UNUSED_TIME;
    const weight = this.weight(entry);
    let pos = this.firstUnused < index ? this.firstUnused : Math.floor(index / 2);
    const movable = (): boolean => {
      const other = entries[pos] as Entry;
      return weight > this.weight(other) || unusedSince > other.lastUsed;
    };
    if (!movable()) {
      if (pos === index - 1) return index;
      pos = index - 1;
      if (!movable()) return index;
    }
    entries.splice(index, 1);
    entries.splice(pos, 0, entry);
    while (this.firstUnused < entries.length && (entries[this.firstUnused] as Entry).hits > 0) this.firstUnused++;
    return pos;
  }
}

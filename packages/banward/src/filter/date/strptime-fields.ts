/**
 * Turns the captured strptime fields of a date into epoch seconds the way fail2ban does, including its
 * guesses for what the text leaves out: no year means this year (or last year, if that would put the
 * date more than a day ahead of "now"); no date at all means today (or yesterday).
 */
import {
  type CivilDate,
  SECONDS_PER_DAY,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  wallSeconds,
  weekdayOfDays,
} from './civil-time.js';
import { fixedZoneMinutes, type LogTimeZone, type ZoneOffsets } from './time-zone.js';

/** A capturing group that carries a strptime field: its group number and the directive letter. */
export interface FieldGroup {
  index: number;
  key: string;
}

/** The field letters fail2ban reads; any other named group is ignored. */
export const FIELD_KEYS: ReadonlySet<string> = new Set('yYmBbdHIpMSfAawjUWzZ'.split(''));

let todayDays = Number.NaN;
let today: CivilDate = { year: 1970, month: 1, day: 1 };

/** The local date of "now", remembered while "now" stays on the same day. */
function todayOf(nowWall: number): CivilDate {
  const days = Math.floor(nowWall / SECONDS_PER_DAY);
  if (days !== todayDays) {
    today = civilFromDays(days);
    todayDays = days;
  }
  return today;
}

export interface TimeContext {
  /** "Now" in epoch seconds. */
  now: number;
  /** "Now" as the local wall clock reads it, in seconds (see {@link wallSeconds}). */
  nowWall: number;
  /** The process's zone: how "now" reads on the wall clock, and the zone of lines without one. */
  local: ZoneOffsets;
  /** `logtimezone`, used when the line names no zone. */
  logZone: LogTimeZone | undefined;
}

const SHORT_MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// Month numbers of the usual spellings ("Jan", "jan", "JAN"), to spare a toLowerCase per line.
const MONTH_NUMBERS = new Map<string, number>();
SHORT_MONTHS.forEach((name, i) => {
  for (const spelling of [name, name.toUpperCase(), name[0]?.toUpperCase() + name.slice(1)]) MONTH_NUMBERS.set(spelling, i + 1);
});
const LONG_MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const SHORT_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const LONG_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The number a captured digit run spells (leading spaces allowed); cheaper than Number() per field. */
function toInt(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit >= 0 && digit <= 9) n = n * 10 + digit;
  }
  return n;
}

/** Day of the year (1 = Jan 1) of a week number and weekday, as Python's strptime computes it. */
function dayOfYearFromWeek(year: number, week: number, weekday: number, weekStartsMonday: boolean): number {
  let firstWeekday = weekdayOfDays(daysFromCivil(year, 1, 1));
  let dayOfWeek = weekday;
  if (!weekStartsMonday) {
    firstWeekday = (firstWeekday + 1) % 7;
    dayOfWeek = (dayOfWeek + 1) % 7;
  }
  if (week === 0) return 1 + dayOfWeek - firstWeekday;
  return 1 + ((7 - firstWeekday) % 7) + 7 * (week - 1) + dayOfWeek;
}

/**
 * Epoch seconds (whole seconds: fail2ban drops `%f`) of the fields captured in `match`, or null when they
 * do not make a valid date or name an unknown zone.
 */
export function fieldsToEpoch(
  match: RegExpExecArray,
  fields: readonly FieldGroup[],
  ampmIndex: number,
  ctx: TimeContext,
): number | null {
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let zoneMinutes: number | undefined;
  let weekday: number | undefined;
  let yearDay: number | undefined;
  let week: number | undefined;
  let weekStartsMonday = false;
  for (const { index, key } of fields) {
    const value = match[index];
    if (value === undefined) continue;
    switch (key) {
      case 'y':
        year = toInt(value);
        if (year <= 2000) year += 2000;
        break;
      case 'Y': year = toInt(value); break;
      case 'm': month = toInt(value); break;
      case 'B': month = LONG_MONTHS.indexOf(value.toLowerCase()) + 1; break;
      case 'b': month = MONTH_NUMBERS.get(value) ?? SHORT_MONTHS.indexOf(value.toLowerCase()) + 1; break;
      case 'd': day = toInt(value); break;
      case 'H': hour = toInt(value); break;
      case 'I': {
        hour = toInt(value);
        const ampm = ampmIndex > 0 ? (match[ampmIndex] ?? '').toLowerCase() : '';
        if (ampm === 'pm') {
          if (hour !== 12) hour += 12;
        } else if (hour === 12) {
          hour = 0;
        }
        break;
      }
      case 'M': minute = toInt(value); break;
      case 'S': second = toInt(value); break;
      case 'A': weekday = LONG_DAYS.indexOf(value.toLowerCase()); break;
      case 'a': weekday = SHORT_DAYS.indexOf(value.toLowerCase()); break;
      case 'w': weekday = (toInt(value) + 6) % 7; break;
      case 'j': yearDay = toInt(value); break;
      case 'U':
      case 'W':
        week = toInt(value);
        weekStartsMonday = key === 'W';
        break;
      case 'z':
      case 'Z': {
        const minutes = value === 'Z' || value === 'UTC' || value === 'GMT' ? 0 : fixedZoneMinutes(value);
        if (minutes === null) return null;
        zoneMinutes = minutes;
        break;
      }
      default:
        break;
    }
  }

  const nowWall = ctx.nowWall;
  const assumeYear = year === undefined;
  if (year === undefined) year = todayOf(nowWall).year;
  if (month === undefined || day === undefined) {
    if (yearDay === undefined && week !== undefined && weekday !== undefined) {
      yearDay = dayOfYearFromWeek(year, week, weekday, weekStartsMonday);
    }
    if (yearDay !== undefined) {
      const date = civilFromDays(daysFromCivil(year, 1, 1) + yearDay - 1);
      ({ year, month, day } = date);
    }
  }
  const assumeToday = month === undefined && day === undefined;
  if (assumeToday) ({ month, day } = todayOf(nowWall));
  if (month === undefined || day === undefined) return null;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;

  let wall = wallSeconds(year, month, day, hour, minute, second);
  let isUtc = false;
  if (zoneMinutes !== undefined) {
    wall -= zoneMinutes * 60;
    isUtc = true;
  } else if (ctx.logZone?.kind === 'fixed') {
    wall -= ctx.logZone.minutes * 60;
    isUtc = true;
  } else if (ctx.logZone?.kind === 'rules') {
    wall = ctx.logZone.zone.wallToUtc(wall);
    isUtc = true;
  }
  // fail2ban compares against "now" on the local wall clock even when `wall` has become UTC.
  if (assumeToday && wall > nowWall) wall -= SECONDS_PER_DAY;
  if (assumeYear && wall > nowWall + SECONDS_PER_DAY) {
    // Last year, on the date as written but keeping the (possibly zone-shifted) time of day.
    if (day > daysInMonth(year - 1, month)) return null;
    const timeOfDay = wall - Math.floor(wall / SECONDS_PER_DAY) * SECONDS_PER_DAY;
    wall = daysFromCivil(year - 1, month, day) * SECONDS_PER_DAY + timeOfDay;
  }
  return isUtc ? wall : ctx.local.wallToUtc(wall);
}

/**
 * fail2ban's time values (`bantime = 1h 30m`, `findtime = 10m`, `dbpurgeage = 1d`), read as
 * fail2ban's `str2seconds` reads them: units become multiplications, groups standing next to each
 * other are added, and the result is arithmetic — so `1year-6mo` and `1hour+30min` work too. A month
 * is a twelfth of an average year (30.4375 days), a year 365.25 days. `-1` means "for ever" where a
 * ban time is meant.
 */
import { BanwardError, type ErrorLocation } from '../errors.js';
import { compileExpression } from './safe-expression.js';

const DAY = 24 * 60 * 60;
const YEAR = ((365 * 3 + 366) * DAY) / 4;

/** A unit word must follow a digit or a space, and end at a word boundary. */
const unit = (alternatives: string): RegExp => new RegExp(`(?<=[\\d\\s])(${alternatives})\\b`, 'gi');

/** Order matters: `mo` (month) is tried before `m` (minute), as in fail2ban. */
const UNITS: readonly [RegExp, number][] = [
  [unit('days?|da|dd?'), DAY],
  [unit('weeks?|wee?|ww?'), 7 * DAY],
  [unit('months?|mon?'), YEAR / 12],
  [unit('years?|yea?|yy?'), YEAR],
  [unit('seconds?|sec?|ss?'), 1],
  [unit('minutes?|min?|mm?'), 60],
  [unit('hours?|hou?|hh?'), 60 * 60],
];

/** `1d12h` → `1d 12h`: a digit right after a letter starts a new group. */
const GLUED_GROUP = /(?<=[a-z])(\d)/gi;
/** Two numbers separated only by spaces are added. */
const ADJACENT_NUMBERS = /(\d)\s+(\d)/g;

/** The arithmetic fail2ban would evaluate for `text` (exported for tests and error messages). */
export function timeExpression(text: string): string {
  let expr = text.replace(GLUED_GROUP, ' $1');
  for (const [re, seconds] of UNITS) expr = expr.replace(re, `*${seconds}`);
  // One pass, as in fail2ban: `1 2 3` stays an error rather than quietly meaning 6.
  return expr.replace(ADJACENT_NUMBERS, '$1+$2');
}

/**
 * Seconds for a time value: `600`, `10m`, `1h 30m`, `1h30m`, `2d`, `1w`, `1mo`, `1y`, `-1`,
 * `5 minutes`, `1 hour`. A number passes through. Throws BanwardError naming the value.
 */
export function parseTimeValue(value: string | number, where: ErrorLocation & { option?: string } = {}): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `${where.option ?? 'time value'} must be a finite number`, where);
  }
  const label = where.option ? `${where.option} ${JSON.stringify(value)}` : `time value ${JSON.stringify(value)}`;
  const fail = (cause?: unknown): BanwardError =>
    new BanwardError(
      'BANWARD_ERR_CONFIG_VALUE',
      `${label} is not a time: expected seconds or a duration like 10m, 1h 30m, 2d, 1w, 1mo, 1y (or -1 for ever)`,
      { file: where.file, line: where.line, cause },
    );
  if (value.trim() === '') throw fail();
  try {
    return compileExpression(timeExpression(value), { label: 'time value' }).evaluate();
  } catch (error) {
    throw fail(error);
  }
}

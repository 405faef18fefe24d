/**
 * The `%` directives a fail2ban datepattern may use: the Python-dialect regex each one expands to and the
 * label fail2ban shows for it in template names ("Year-Month-Day ..."). The expansions are fail2ban's
 * (C-locale names), so a pattern selects exactly the same text as it does there.
 */

const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const DAYS = 'mon|tue|wed|thu|fri|sat|sun';
// Python's own strptime spellings, used inside %c, %x and %X.
const PY_DAY = '3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9]';
const PY_TIME = '(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|\\d):(?P<S>6[0-1]|[0-5]\\d|\\d)';
const ZONE_ABBR = '[A-Z](?:[A-Z]{2,4})?';
const ZONE_OFFSET = '[+-][01]\\d(?::?\\d{2})?';

/** Directive → [regex, label]. `ExY` is filled in per "now", see {@link yearRegex}. */
const DIRECTIVES: Readonly<Record<string, readonly [string, string]>> = {
  '%': ['%', '%'],
  a: [`(?P<a>${DAYS})`, 'DAY'],
  A: ['(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)', 'DAYNAME'],
  b: [`(?P<b>${MONTHS})`, 'MON'],
  B: ['(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)', 'MONTH'],
  c: [
    `(?P<a>${DAYS})\\s+(?P<b>${MONTHS})\\s+(?P<d>${PY_DAY})\\s+${PY_TIME}\\s+(?P<Y>\\d\\d\\d\\d)`,
    '%c',
  ],
  d: ['(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])', 'Day'],
  f: ['(?P<f>[0-9]{1,6})', 'Microseconds'],
  G: ['(?P<G>\\d\\d\\d\\d)', '%G'],
  H: ['(?P<H>[0-1]?\\d|2[0-3])', '24hour'],
  I: ['(?P<I>1[0-2]|0[1-9]|[1-9])', '12hour'],
  j: ['(?P<j>36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])', 'Yearday'],
  k: [' ?(?P<H>[0-2]?\\d)', '%k'],
  l: [' ?(?P<I>1?\\d)', '%l'],
  m: ['(?P<m>0?[1-9]|1[0-2])', 'Month'],
  M: ['(?P<M>[0-5]?\\d)', 'Minute'],
  p: ['(?P<p>am|pm)', 'AMPM'],
  S: ['(?P<S>[0-5]?\\d|6[0-1])', 'Second'],
  u: ['(?P<u>[1-7])', '%u'],
  U: ['(?P<U>5[0-3]|[0-4]\\d|\\d)', 'Yearweek'],
  V: ['(?P<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)', '%V'],
  w: ['(?P<w>[0-6])', 'Weekday'],
  W: ['(?P<W>5[0-3]|[0-4]\\d|\\d)', 'Yearweek'],
  x: [`(?P<m>1[0-2]|0[1-9]|[1-9])/(?P<d>${PY_DAY})/(?P<y>\\d\\d)`, '%x'],
  X: [PY_TIME, '%X'],
  y: ['(?P<y>\\d\\d)', 'Year2'],
  Y: ['(?P<Y>\\d{4})', 'Year'],
  z: [`(?P<z>Z|UTC|GMT|${ZONE_OFFSET})`, 'Zone offset'],
  Z: ['(?P<Z>Z|[A-Z]{3,5})', 'Zone name'],
  ExZ: [`(?P<Z>${ZONE_ABBR})`, 'ExZone name'],
  Exz: [`(?P<z>(?:${ZONE_ABBR})?${ZONE_OFFSET}|${ZONE_ABBR})`, 'ExZone offset'],
  Exd: ['(?P<d>[1-2]\\d|0[1-9]|3[0-1])', 'ExDay'],
  Exm: ['(?P<m>0[1-9]|1[0-2])', 'ExMonth'],
  ExH: ['(?P<H>[0-1]\\d|2[0-3])', 'Ex24hour'],
  Exk: [' ?(?P<H>[0-1]?\\d|2[0-3])', '%Exk'],
  Exl: [' ?(?P<I>1[0-2]|\\d)', '%Exl'],
  ExM: ['(?P<M>[0-5]\\d)', 'ExMinute'],
  ExS: ['(?P<S>[0-5]\\d|6[0-1])', 'ExSecond'],
  ExY: ['', 'ExYear'],
  Exy: ['(?P<y>\\d{2})', 'ExYear2'],
};

/** A `%` directive as fail2ban recognises it: `%%`, the `%Ex?` forms, then single letters. */
export const DIRECTIVE_RE = /%(%|Ex[ZzdmHklMSYy]|[acdfGHIjklmMpSuUVwWxXyYzZAbB])/g;

/** Directives that make fail2ban match the whole pattern case-insensitively. */
export const ALPHA_DIRECTIVE_RE = /(?<!%)%[aAbBpc]/;

/**
 * `%ExY` accepts four-digit years of the decades fail2ban allows: from 2000 up to three years ahead of
 * "now". fail2ban takes "now" from the wall clock; banward takes the injected one but never accepts less
 * than a current fail2ban does, so replaying old logs with an old "now" matches the same text.
 */
const MIN_EXY_UPPER_YEAR = 2029;

export function yearRegex(nowYear: number): string {
  const upper = Math.max(nowYear + 3, MIN_EXY_UPPER_YEAR);
  const decades: string[] = [];
  for (let decade = 200; decade <= Math.floor(upper / 10); decade++) decades.push(String(decade));
  return `(?P<Y>(?:${decades.join('|')})\\d)`;
}

export interface ExpandedPattern {
  regex: string;
  name: string;
}

/**
 * Replaces every directive of `pattern` by its regex (and, for the name, by its label). Returns null at the
 * first `%` that is not a directive — fail2ban rejects such a pattern.
 */
export function expandDirectives(pattern: string, exYear: string): ExpandedPattern | null {
  let regex = '';
  let name = '';
  let last = 0;
  DIRECTIVE_RE.lastIndex = 0;
  for (let m = DIRECTIVE_RE.exec(pattern); m !== null; m = DIRECTIVE_RE.exec(pattern)) {
    const text = pattern.slice(last, m.index);
    if (text.includes('%')) return null;
    const [re, label] = DIRECTIVES[m[1] as string] as readonly [string, string];
    regex += text + (m[1] === 'ExY' ? exYear : re);
    name += text + label;
    last = m.index + m[0].length;
  }
  const tail = pattern.slice(last);
  if (tail.includes('%')) return null;
  return { regex: regex + tail, name: name + tail };
}

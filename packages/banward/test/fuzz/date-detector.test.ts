/**
 * Date detection differential against fail2ban's own DateDetector (Debian's fail2ban through python3):
 * lines with dates in the default templates' formats (and some that are not dates), fed in sequence to a
 * fresh detector on each side — the detectors reorder their templates as they win, so the whole sequence
 * must agree — with the same fixed "now", process time zone and logtimezone, under the defaults and under
 * custom datepatterns. Compared: where the date is (fail2ban's group 1) and the epoch found.
 */
import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { fixedClock } from '../../src/clock.js';
import { DateDetector } from '../../src/filter/date/index.js';
import { fuzzBudget } from './_budget.js';
import { PythonOracle } from './_python-oracle.js';

// Both sides in one zone with DST (fail2ban's own tests use it); "now" is Sun Aug 14 12:00:00 CEST 2005.
const ZONE = 'Europe/Zurich';
process.env['TZ'] = ZONE;
const NOW = 1124013600;

const ORACLE = String.raw`
from fail2ban.server.datedetector import DateDetector
from fail2ban.server.mytime import MyTime
def handle(req):
    MyTime.setTime(req['now'])
    dd = DateDetector()
    dd.default_tz = req['tz']
    if req['pattern'] is None:
        dd.addDefaultTemplate()
    else:
        for p in req['pattern']:
            dd.appendTemplate(p)
    out = []
    for line in req['lines']:
        # As fail2ban's Filter.processLine: matchTime, then getTime only for a non-empty date text.
        tm = dd.matchTime(line)
        m = tm[0]
        if not m:
            out.append(None)
            continue
        s, e = m.start(1), m.end(1)
        found = dd.getTime(line[s:e], tm) if e > s else None
        out.append([s, e, None if found is None else found[0]])
    return out
`;

const oracle = new PythonOracle(ORACLE, 'fail2ban.server.datedetector', { TZ: ZONE });
after(() => oracle.close());

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const p2 = (n: number): string => String(n).padStart(2, '0');

interface Parts { Y: number; m: number; d: number; H: number; M: number; S: number; f: string; z: string; wd: number }

const parts = fc.record({
  // Around "now" (the detector only takes years near it), DST changes included (27 Mar, 30 Oct 2005).
  Y: fc.constantFrom(2004, 2005, 2005, 2005, 2006, 1999, 2031),
  m: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(3, 10, 0, 13)),
  d: fc.oneof(fc.integer({ min: 1, max: 28 }), fc.constantFrom(27, 29, 30, 31, 0, 32)),
  H: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.constantFrom(2, 24)),
  M: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(60)),
  S: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(60, 61)),
  f: fc.constantFrom('', '1', '02', '252', '981746', '1234567'),
  z: fc.constantFrom('', 'Z', '+0100', '-0500', '+01:00', '-05:30', '+0000', ' UTC', ' CET', ' PDT', '+1400'),
  wd: fc.integer({ min: 0, max: 6 }),
});

/** The date in one of the default templates' formats (and a few near misses). */
const FORMATS: Array<(p: Parts) => string> = [
  (p) => `${p.Y}-${p2(p.m)}-${p2(p.d)} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}${p.f ? `,${p.f}` : ''}`,
  (p) => `${p.Y}-${p2(p.m)}-${p2(p.d)}T${p2(p.H)}:${p2(p.M)}:${p2(p.S)}${p.f ? `.${p.f}` : ''}${p.z}`,
  (p) => `${p.Y}/${p2(p.m)}/${p2(p.d)} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${p.Y}.${p2(p.m)}.${p2(p.d)}  ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}${p.z}`,
  (p) => `${MONTHS[(p.m + 11) % 12]} ${p.d < 10 ? ` ${p.d}` : p.d} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${DAYS[p.wd]} ${MONTHS[(p.m + 11) % 12]} ${p2(p.d)} ${p.H}:${p2(p.M)}:${p2(p.S)}${p.f ? `.${p.f}` : ''} ${p.Y}`,
  (p) => `${DAYS[p.wd]} ${MONTHS[(p.m + 11) % 12]} ${p2(p.d)} ${p.Y} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${p2(p.d)}/${p2(p.m)}/${p.Y} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${p2(p.d)}-${p2(p.m)}-${String(p.Y).slice(2)} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${p2(p.d)}/${MONTHS[(p.m + 11) % 12]}/${p.Y}:${p2(p.H)}:${p2(p.M)}:${p2(p.S)} ${p.z.trim() || '-0000'}`,
  (p) => `${p2(p.d)}-${MONTHS[(p.m + 11) % 12]}-${p.Y} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}${p.f ? `.${p.f}` : ''}`,
  (p) => `${p2(p.m)}/${p2(p.d)}/${p.Y}:${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${p2(p.m)}-${p2(p.d)}-${p.Y} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}${p.f ? `.${p.f}` : ''}`,
  (p) => `<${p2(p.m)}/${p2(p.d)}/${String(p.Y).slice(2)}@${p2(p.H)}:${p2(p.M)}:${p2(p.S)}>`,
  (p) => `${String(p.Y).slice(2)}${p2(p.m)}${p2(p.d)} ${p.H < 10 ? ` ${p.H}` : p.H}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${MONTHS[(p.m + 11) % 12]} ${p.d}, ${p.Y} ${(p.H % 12) || 12}:${p2(p.M)}:${p2(p.S)} ${p.H < 12 ? 'AM' : 'PM'}`,
  (p) => `${MONTHS[(p.m + 11) % 12]}-${p2(p.d)}-${String(p.Y).slice(2)} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${p.Y}${p2(p.m)}${p2(p.d)}T${p2(p.H)}${p2(p.M)}${p2(p.S)}${p.z}`,
  (p) => `${p.z.trim() || 'PDT'} ${MONTHS[(p.m + 11) % 12]} ${p2(p.d)} ${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
  (p) => `${p2(p.H)}:${p2(p.M)}:${p2(p.S)}`,
];
const epoch = fc.tuple(fc.integer({ min: 1000000000, max: 1200000000 }), fc.constantFrom('', '.5', '.000', '.5232632', '.123456789'))
  .map(([s, f]) => `${s}${f}`);
const dateText = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...FORMATS), parts).map(([f, p]) => f(p)) },
  { weight: 1, arbitrary: epoch },
  { weight: 1, arbitrary: fc.constantFrom('@4000000041f4104f00000000', '@4000000041f4104f', '1106513999999', '9999999999') },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9:\-/. TZ+]{1,24}$/) },
);
const line = fc
  .tuple(
    fc.constantFrom('', '', '[', 'host sshd[123]: ', 'x', 'audit(', 'é ', ' '),
    dateText,
    fc.constantFrom('', ' sshd[1]: Failed password for root from 192.0.2.1', ']', ':42)', 'x', ' é'),
  )
  .map(([a, d, b]) => a + d + b);

const DATEPATTERNS: Array<string[] | null> = [
  null, null, null,
  ['%Y-%m-%d %H:%M:%S'],
  ['^%d/%m/%Y %H:%M:%S'],
  ['{^LN-BEG}%b %d %H:%M:%S'],
  ['{^LN-BEG}'],
  ['EPOCH'],
  ['{^LN-BEG}EPOCH'],
  ['LEPOCH'],
  ['{DATE}'],
  ['%d.%m.%Y %H:%M:%S', '%Y%m%d %H%M%S'],
  ['%Y-%m-%dT%H:%M:%S%z'],
  ['%ExY-%Exm-%Exd %ExH:%ExM:%ExS'],
  ['%b %d, %Y %I:%M:%S %p'],
  ['{NONE}'],
];
const TIME_ZONES = [null, null, 'UTC', 'UTC+0200', 'UTC-0530', 'CET'];

type Found = [number, number, number | null] | null;

const WALL = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, dateStyle: 'short', timeStyle: 'medium' });

/**
 * Both instants are the same reading of the clock in ZONE: the hour that occurs twice when DST ends. Which
 * one mktime picks for fail2ban depends on the conversions the Python process did before (glibc keeps the
 * last offset it used), so the long-lived oracle cannot give one answer for it.
 */
function sameWallClock(a: number, b: number): boolean {
  return Math.abs(a - b) === 3600 && WALL.format(a * 1000) === WALL.format(b * 1000);
}

test('fuzz: DateDetector finds the same date, at the same place, as fail2ban\'s DateDetector', async () => {
  let found = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...DATEPATTERNS), fc.constantFrom(...TIME_ZONES), fc.array(line, { minLength: 1, maxLength: 8 }),
      async (pattern, tz, lines) => {
        const expected = await oracle.ask<Found[]>({ now: NOW, tz, pattern, lines });
        const dd = new DateDetector({
          ...(pattern === null ? {} : { datepattern: pattern.join('\n') }),
          ...(tz === null ? {} : { timezone: tz }),
          now: fixedClock(NOW),
        });
        lines.forEach((text, i) => {
          const m = dd.detect(text);
          const ours: Found = m === null ? null : [m.start, m.end, m.time];
          const want = expected[i]!;
          const label = `line ${i} ${JSON.stringify(text)} (datepattern ${JSON.stringify(pattern)}, logtimezone ${tz})`;
          if (want === null || ours === null || want[2] === null || ours[2] === null) assert.deepEqual(ours, want, label);
          else {
            assert.deepEqual(ours.slice(0, 2), want.slice(0, 2), label);
            const same = Math.abs(ours[2] - want[2]) < 1e-6 || (tz === null && sameWallClock(ours[2], want[2]));
            assert.ok(same, `${label}: time ${ours[2]} but fail2ban ${want[2]}`);
            found++;
          }
        });
      },
    ),
    fuzzBudget({ includeErrorInReport: true }),
  );
  assert.ok(found > 0, 'no line had a date both sides found');
});

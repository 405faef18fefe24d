// Cases from fail2ban's tests/datedetectortestcase.py (inputs and expected epochs), checked against
// fail2ban 1.0.2 itself. Like fail2ban's tests, they run at "now" = Sun Aug 14 12:00:00 CEST 2005.
process.env.TZ = 'Europe/Zurich';

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fixedClock } from '../../clock.js';
import { isBanwardError } from '../../errors.js';
import { DateDetector, type DateMatch } from './index.js';

const NOW = 1124013600;
const JAN_23_2005 = 1106513999;

function detector(datepattern?: string, timezone?: string, now = NOW): DateDetector {
  return new DateDetector({ datepattern, timezone, now: fixedClock(now) });
}

function text(line: string, m: DateMatch | null): string | null {
  return m === null ? null : line.slice(m.start, m.end);
}

describe('default templates (testVariousTimes)', () => {
  // [date text, anchored (prefix must not match), bound (test word boundary), matched text if different]
  const cases: [string, boolean, boolean, string?][] = [
    ['Jan 23 21:59:59', false, true],
    ['Sun Jan 23 21:59:59 2005', false, false],
    ['Sun Jan 23 21:59:59', false, false],
    ['Sun Jan 23 2005 21:59:59', false, false],
    ['2005/01/23 21:59:59', false, true],
    ['2005.01.23 21:59:59', false, true],
    ['23/01/2005 21:59:59', false, true],
    ['23/01/05 21:59:59', false, true],
    ['23/Jan/2005:21:59:59', false, true],
    ['23/Jan/2005:21:59:59 +0100', false, true],
    ['01/23/2005:21:59:59', false, true],
    ['2005-01-23 21:59:59', false, true],
    ['2005-01-23 21:59:59,000', false, true],
    ['23-Jan-2005 21:59:59', false, true],
    ['23-Jan-2005 21:59:59.02', false, true],
    ['23-Jan-2005 21:59:59 +0100', false, true],
    ['23-01-2005 21:59:59', false, true],
    ['1106513999', true, true],
    ['01-23-2005 21:59:59.252', false, true],
    ['@4000000041f4104f00000000', false, false],
    ['2005-01-23T20:59:59.252Z', false, true],
    ['2005-01-23T15:59:59-05:00', false, true],
    ['20050123T215959', false, true],
    ['20050123 215959', false, true],
    ['<01/23/05@21:59:59>', true, true],
    ['050123 21:59:59', false, true],
    ['Jan-23-05 21:59:59', true, true],
    ['Jan 23, 2005 9:59:59 PM', false, true],
    ['1106513999.000', true, true],
    ['[1106513999.000]', true, true, '1106513999.000'],
    ['audit(1106513999.000:987)', false, true, '1106513999.000'],
  ];
  const dd = detector();
  for (const [date, anchored, bound, matched = date] of cases) {
    it(`finds ${date}`, () => {
      const line = `${date}[sshd] error: PAM: Authentication failure`;
      const m = dd.detect(line);
      assert.equal(text(line, m), matched);
      assert.equal(m?.time, JAN_23_2005);
      const prefixed = `bogus-prefix ${line}`;
      const p = dd.detect(prefixed);
      if (anchored) assert.equal(p, null);
      else assert.deepEqual([text(prefixed, p), p?.time], [matched, JAN_23_2005]);
      if (bound) assert.equal(dd.detect(`word-boundary${line}`), null);
    });
  }
  it('finds nothing in a line without a date', () => {
    assert.equal(dd.detect('no date line[sshd] error: PAM: Authentication failure'), null);
  });
});

describe('epochs', () => {
  const wrappers = ['%s', '[%s]', '[%s.555]', 'audit(%s.555:101)'];
  for (const [pattern, good, bad] of [
    ['EPOCH', ['1138049999', '32535244799'], ['123456789', '9999999999999999', '1138049999A', 'A1138049999']],
    ['LEPOCH', ['1138049999', '1138049999000', '1138049999000000', '32535244799000000'],
      ['123456789', '999999999999999999', '1138049999A', 'A1138049999']],
  ] as const) {
    for (const wrap of wrappers) {
      for (const value of good) {
        const line = `${wrap.replace('%s', value)} [sshd] error: PAM: Authentication failure`;
        if (pattern === 'LEPOCH' && value.length > 11 && wrap.includes('.555')) continue;
        it(`${pattern} reads ${line}`, () => {
          const m = detector(pattern).detect(line);
          assert.equal(Math.trunc(m?.time ?? 0), Number(value.slice(0, 11)) > 2e10 ? 32535244799 : 1138049999);
        });
      }
      for (const value of bad) {
        const line = `${wrap.replace('%s', value)} [sshd] error`;
        it(`${pattern} rejects ${line}`, () => assert.equal(detector(pattern).detect(line), null));
      }
    }
  }
  it('finds {LEPOCH} inside a custom pattern', () => {
    const dd = detector('(?<=\\|\\s){LEPOCH}(?=\\s\\|)');
    for (const value of ['1138049999', '1138049999000', '1138049999000000']) {
      const line = `auth-error | ${value} | invalid password`;
      const m = dd.detect(line);
      assert.deepEqual([text(line, m), Math.trunc(m?.time ?? 0)], [value, 1138049999]);
    }
    for (const line of ['test1138049999123', 'test-right | 1138049999test', 'test1138049999 | test-left']) {
      assert.equal(dd.detect(line), null);
    }
  });
  it('reads TAI64N', () => {
    const m = detector('TAI64N').detect('@4000000041f4104f00000000 x');
    assert.deepEqual(m, { start: 0, end: 25, time: JAN_23_2005, template: 'TAI64N' });
  });
});

describe('logtimezone (testDefaultTimeZone)', () => {
  const pattern = '^%ExY-%Exm-%Exd %H:%M:%S(?: ?%Exz)?';
  const utc = (h: number, m = 0, day = 23): number => Date.UTC(2017, 0, day, h, m) / 1000;
  const cases: [string | undefined, string, number][] = [
    ['UTC+0300', '', utc(12)], ['UTC', '', utc(15)], ['UTC-0430', '', utc(19, 30)], ['GMT+12', '', utc(3)],
    [undefined, '', utc(14)], ['CET', '', utc(14)], ['+0100', '', utc(14)], ['CEST-01', '', utc(14)],
    ['CEST', '', utc(13)], ['+0200', '', utc(13)], ['CET+01', '', utc(13)], ['CET+0100', '', utc(13)],
    ['CET+0130', '', utc(12, 30)], ['UTC+0300', ' GMT', utc(15)], ['UTC', ' GMT', utc(15)],
    ['UTC-0430', ' GMT', utc(15)], [undefined, ' GMT', utc(15)], ['UTC', ' -1045', utc(1, 45, 24)],
    [undefined, ' -10:45', utc(1, 45, 24)], ['UTC', ' +0945', utc(5, 15)], [undefined, ' +09:45', utc(5, 15)],
    ['UTC+0300', ' Z', utc(15)], ['GMT+12', ' CET', utc(14)], ['GMT+12', ' CEST', utc(13)],
    ['GMT+12', ' CET+0130', utc(12, 30)],
    // banward also takes IANA names, with their daylight-saving rules:
    ['Europe/Zurich', '', utc(14)], ['America/New_York', '', utc(20)], ['-05:00', '', utc(20)],
  ];
  for (const [tz, suffix, expected] of cases) {
    it(`${tz ?? '(local)'} + "${suffix}"`, () => {
      assert.equal(detector(pattern, tz).detect(`2017-01-23 15:00:00${suffix}`)?.time, expected);
    });
  }
  it('rejects an unknown zone with BANWARD_ERR_TIMEZONE', () => {
    assert.throws(() => detector(pattern, 'WRONG-TZ'), (e: unknown) => isBanwardError(e) && e.code === 'BANWARD_ERR_TIMEZONE' && e.message.includes("'WRONG-TZ'"));
  });
});

describe('datepattern (testAmbiguousDatePattern, testVariousFormatSpecs)', () => {
  // [datepattern (undefined: defaults), line, matched text or epoch, or null for no date]
  const cases: [string | undefined, string, string | number | null][] = [
    [undefined, 'Test failure Jan 23 21:59:59 for 192.0.2.1', 'Jan 23 21:59:59'],
    [undefined, 'Test failure TestJan 23 21:59:59.011 2015 for 192.0.2.1', null],
    [undefined, 'Test failure Jan 23 21:59:59123456789 for 192.0.2.1', null],
    [undefined, 'Aug 8 11:25:50 20030f2329b8 Authentication failed from 192.0.2.1', 'Aug 8 11:25:50'],
    [undefined, '[Aug 8 11:25:50] 20030f2329b8 Authentication failed from 192.0.2.1', 'Aug 8 11:25:50'],
    [undefined, 'Aug 8 11:25:50 2014 20030f2329b8 Authentication failed from 192.0.2.1', 'Aug 8 11:25:50 2014'],
    ['%H:%M:%S %d.%m.%Y$', '192.0.2.1 at 20:00:00 01.02.2003', '20:00:00 01.02.2003'],
    ['\\[%H:%M:%S %d.%m.%Y\\]', '192.0.2.1[20:00:00 01.02.2003]', '[20:00:00 01.02.2003]'],
    ['\\[%H:%M:%S %d.%m.%Y\\]', '[20:00:00 01.02.2003]192.0.2.1', '[20:00:00 01.02.2003]'],
    ['\\[%H:%M:%S %d.%m.%Y\\]$', '192.0.2.1[20:00:00 01.02.2003]', '[20:00:00 01.02.2003]'],
    ['^\\[%H:%M:%S %d.%m.%Y\\]', '[20:00:00 01.02.2003]192.0.2.1', '[20:00:00 01.02.2003]'],
    ['^\\[%d/%b/%Y %H:%M:%S\\]', '[17/Jun/2011 17:00:45] Attempt, IP address 192.0.2.1', '[17/Jun/2011 17:00:45]'],
    ['\\[%d/%b/%Y %H:%M:%S\\]', 'Attempt [17/Jun/2011 17:00:45] IP address 192.0.2.1', '[17/Jun/2011 17:00:45]'],
    ['%H:%M:%S %d.%m.%Y', '192.0.2.1x20:00:00 01.02.2003', null],
    ['%H:%M:%S %d.%m.%Y', '20:00:00 01.02.2003x192.0.2.1', null],
    ['**%H:%M:%S %d.%m.%Y**', '192.0.2.1x20:00:00 01.02.2003', '20:00:00 01.02.2003'],
    ['**%H:%M:%S %d.%m.%Y**', '20:00:00 01.02.2003x192.0.2.1', '20:00:00 01.02.2003'],
    ['\\**%H:%M:%S %d.%m.%Y\\**', 'test*20:00:00 01.02.2003*test', '*20:00:00 01.02.2003*'],
    ['%H:%M:%S %d.%m.%Y', '192.0.2.1 20:00:00 01.02.2003', '20:00:00 01.02.2003'],
    ['%ExY-%Exm-%Exd %ExH:%ExM:%ExS', '0000-12-30 00:00:00 - 2003-12-30 00:00:00', '2003-12-30 00:00:00'],
    [undefined, '0000-12-30 00:00:00 - 2003-12-30 00:00:00', '2003-12-30 00:00:00'],
    ['%Y%m%d %H%M%S', 'text:200333 010203 | date:20031230 010203', '200333 010203'],
    ['%ExY%Exm%Exd %ExH%ExM%ExS', 'text:200333 010203 | date:20031230 010203', '20031230 010203'],
    [undefined, 'text:200333 010203 | date:20031230 010203', '20031230 010203'],
    ['%ExY%Exm%Exd %ExH%ExM%ExS', '00001230 010203 - 20030101 000000', '20030101 000000'],
    ['{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS', '00001230 010203 - 20030101 000000', null],
    ['{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS', '20031230 010203 - 20030101 000000', '20031230 010203'],
    ['{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**', '##2003123001020320030101000000', '20031230010203'],
    ['{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS', '[20031230010203]20030101000000', '20031230010203'],
    ['{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?', '[2003-12-30 01:02:03] server ...', 1072746123 - 3600],
    ['{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?', '[2003-12-30 01:02:03 UTC] server ...', 1072746123],
    ['{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?', '[2003-12-30 01:02:03 Z] server ...', 1072746123],
    ['{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?', '[2003-12-30 01:02:03 +0000] server ...', 1072746123],
    ['^%B %Exd %I:%ExM:%ExS**', 'January 23 12:59:59', 1106438399],
    ['^%y %U %A %ExH:%ExM:%ExS**', '01 11 Wednesday 21:59:59', 985208399],
    ['^%y %W %A %ExH:%ExM:%ExS**', '01 11 Wednesday 21:59:59', 984603599],
    ['^%y %W %w %ExH:%ExM:%ExS**', '01 11 0 21:59:59', 984949199],
    ['^%y %W %w %ExH:%ExM:%ExS**', '01 11 6 21:59:59', 984862799],
    // no date: today, or yesterday when that would be in the future
    ['^%ExH:%ExM:%ExS**', '21:59:59', 1123963199],
    ['^%ExH:%ExM:%ExS**', '00:00:01', 1123970401],
    // no year: this year, or last year when more than a day ahead
    ['^%m/%d %ExH:%ExM:%ExS**', '09/01 21:59:59', 1094068799],
    ['^%Y-%m-%d**', '2004-09-01', 1093989600],
    ['^%Y-%m-%d%z**', '2004-09-01Z', 1093996800],
  ];
  for (const [pattern, line, expected] of cases) {
    it(`${pattern ?? '(defaults)'} on ${line}`, () => {
      const m = detector(pattern).detect(line);
      if (expected === null) assert.ok(m === null || m.time === null, JSON.stringify(m));
      else if (typeof expected === 'string') assert.equal(text(line, m), expected);
      else assert.equal(m?.time, expected);
    });
  }
});

describe('year and day inference relative to now', () => {
  const cases: [string | undefined, string, number | null][] = [
    [undefined, 'Aug 14 12:00:00 x', 1124013600],
    [undefined, 'Aug 15 11:59:59 x', 1124099999], // within a day ahead: still this year
    [undefined, 'Aug 15 12:00:01 x', 1092564001], // more than a day ahead: last year
    [undefined, 'Dec 31 23:59:59 x', 1104533999],
    [undefined, 'Feb 29 10:00:00 x', null], // 2005 is no leap year
    [undefined, '13:00:00 x', 1123930800], // later than now today: yesterday
    ['UTC', 'Aug 15 11:59:59 x', 1124107199],
    ['UTC+0200', 'Jan  1 01:00:00 x', 1104534000],
    // fail2ban keeps the zone-shifted time of day but the written date when it goes back a year
    ['UTC-0500', 'Aug 15 20:00:00 x', 1092531600],
  ];
  for (const [tz, line, expected] of cases) {
    it(`${tz ?? '(local)'}: ${line}`, () => assert.equal(detector(undefined, tz).detect(line)?.time ?? null, expected));
  }
});

describe('template selection', () => {
  it('keeps finding a time whose width changes (testNotAnchoredCollision)', () => {
    for (const pattern of ['%H:%M:%S', '{UNB}%H:%M:%S']) {
      const dd = detector(pattern);
      for (const fmt of ['%s test', '%8s test', 'test %s', 'test %8s']) {
        for (const dt of ['00:01:02', '00:01:2', '00:1:2', '0:1:2', '00:1:2', '00:01:2', '00:01:02', '0:1:2']) {
          const line = fmt.replace(/%(8?)s/, (_, w: string) => (w ? dt.padStart(8) : dt));
          const m = dd.detect(line);
          assert.deepEqual([text(line, m), m?.time], [dt, 1123970462]);
        }
      }
    }
  });
  it('prefers the date nearest the line start (testAmbiguousInOrderedTemplates)', () => {
    const dd = detector();
    const cases: [string, string, number][] = [
      ['030324  0:03:59', 'some free text 030324  0:03:59 -- 2003-03-07 17:05:01 ...', 1],
      ['2003-03-07 17:05:01', 'some free text 2003-03-07 17:05:01 test ...', 15],
      ['030324  0:04:00', 'server mysqld[1000]: 030324  0:04:00 [Warning] Access denied ... foreign-input just some free text 2003-03-07 17:05:01 test', 10],
      ['Sep 16 21:30:26', 'server mysqld[1020]: Sep 16 21:30:26 server mysqld: 030916 21:30:26 [Warning] Access denied', 15],
      ['2005-10-07 06:09:42', 'server mysqld[5906]: 2005-10-07 06:09:42 5907 [Warning] Access denied', 20],
      ['2005-10-08T15:26:18.237955', 'server mysqld[5906]: 2005-10-08T15:26:18.237955 6 [Note] Access denied', 20],
      ['051009 10:05:30', 'server mysqld[1000]: 051009 10:05:30 [Warning] Access denied ...', 50],
    ];
    for (const [expected, line, count] of cases) {
      for (let i = 0; i < count; i++) assert.equal(text(line, dd.detect(line)), expected);
    }
  });
  it('switches back and forth between formats (testFullYearMatch_gh130)', () => {
    const dd = detector();
    const expected = 1349915837;
    for (const line of ['2012/10/11 02:37:17 [error] 18434#0', ...Array<string>(10).fill('11/10/2012 02:37:17 [error] 18434#0'), '2012/10/11 02:37:17 [error] 18434#0']) {
      assert.equal(dd.detect(line)?.time, expected);
    }
  });
  it('{NONE} matches empty text at the line start', () => {
    assert.deepEqual(detector('{NONE}').detect('Jan 23 21:59:59 x'), { start: 0, end: 0, time: null, template: '^' });
  });
});

describe('Django logs', () => {
  const cases: [string, number, string, string][] = [
    ["1402061010.123456|ERROR|Login Fail 'bob' by 203.0.113.5", 1402061010.123456, '1402061010.123456', '{^LN-BEG}Epoch'],
    ['2015-03-10 21:31:23,899 ERROR Login failure 203.0.113.5', 1426019483, '2015-03-10 21:31:23,899',
      '{^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second(?:[.,]Microseconds)?(?:\\s*Zone offset)?'],
  ];
  for (const [line, time, matched, template] of cases) {
    it(line, () => {
      const m = detector().detect(line);
      assert.deepEqual([m?.time, text(line, m), m?.template], [time, matched, template]);
    });
  }
});

describe('invalid datepatterns', () => {
  for (const pattern of ['%q', '%Y-%m-%d %', '(%ExY%Exm%Exd', '[abc', '(?P<x>a)(?P<x>b)', '%H:%M\n%H:%M']) {
    it(`rejects ${JSON.stringify(pattern)} with BANWARD_ERR_DATEPATTERN`, () => {
      assert.throws(() => detector(pattern), (e: unknown) => isBanwardError(e) && e.code === 'BANWARD_ERR_DATEPATTERN');
    });
  }
});

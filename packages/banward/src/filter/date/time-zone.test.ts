import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isBanwardError } from '../../errors.js';
import { civilFromDays, daysFromCivil } from './civil-time.js';
import { fixedZoneMinutes, ianaZone, parseLogTimeZone } from './time-zone.js';

describe('fixedZoneMinutes', () => {
  const cases: [string, number | null][] = [
    ['UTC', 0], ['GMT', 0], ['Z', 0], ['', 0], ['+0200', 120], ['-05:00', -300], ['+02', 120],
    ['UTC+0200', 120], ['GMT+12', 720], ['CET', 60], ['CEST', 120], ['CET+0130', 150], ['CEST-01', 60],
    ['NPT', 345], ['NST', -210], ['PDT', -420],
    ['Europe/Zurich', null], ['utc', null], ['XYZ', null], ['+2', null], ['UTC+0200 ', null],
  ];
  for (const [text, minutes] of cases) it(JSON.stringify(text), () => assert.equal(fixedZoneMinutes(text), minutes));
});

describe('parseLogTimeZone', () => {
  it('keeps fail2ban abbreviations fixed, even where an IANA zone has the same name', () => {
    assert.deepEqual(parseLogTimeZone('CET'), { kind: 'fixed', minutes: 60 });
  });
  it('accepts IANA names', () => assert.equal(parseLogTimeZone('Europe/Zurich').kind, 'rules'));
  it('rejects unknown zones, quoting them', () => {
    assert.throws(() => parseLogTimeZone('Mars/Olympus'), (e: unknown) =>
      isBanwardError(e) && e.code === 'BANWARD_ERR_TIMEZONE' && e.message.includes("'Mars/Olympus'"));
  });
});

describe('ZoneOffsets', () => {
  const zurich = ianaZone('Europe/Zurich');
  assert.ok(zurich);
  const wall = (y: number, mo: number, d: number, h: number, mi: number): number =>
    daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60;
  it('knows summer and winter offsets', () => {
    assert.equal(zurich.offsetAt(1124013600), 7200);
    assert.equal(zurich.offsetAt(1106513999), 3600);
  });
  it('reads a skipped wall time with the offset before the jump (like mktime)', () => {
    assert.equal(zurich.wallToUtc(wall(2005, 3, 27, 2, 30)), 1111887000);
  });
  it('reads a repeated wall time with the previous offset, else the later instant', () => {
    const fresh = ianaZone('Europe/Zurich');
    assert.ok(fresh);
    assert.equal(fresh.wallToUtc(wall(2005, 10, 30, 2, 30)), 1130635800);
    fresh.wallToUtc(wall(2005, 10, 30, 1, 30));
    assert.equal(fresh.wallToUtc(wall(2005, 10, 30, 2, 30)), 1130632200);
  });
});

describe('civil dates', () => {
  const cases: [number, number, number, number][] = [
    [1970, 1, 1, 0], [2000, 2, 29, 11016], [2005, 1, 23, 12806], [1969, 12, 31, -1], [2400, 3, 1, 157114],
  ];
  for (const [y, m, d, days] of cases) {
    it(`${y}-${m}-${d}`, () => {
      assert.equal(daysFromCivil(y, m, d), days);
      assert.deepEqual(civilFromDays(days), { year: y, month: m, day: d });
    });
  }
});

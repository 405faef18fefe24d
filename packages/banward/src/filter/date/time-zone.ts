/**
 * Time zones as fail2ban understands them — fixed offsets written `UTC+0200`, `CET`, `-05:00`, … — plus
 * IANA names (`Europe/Zurich`) through Intl, and the process's own zone (the `TZ` environment variable)
 * for logs whose lines carry no zone.
 */
import { BanwardError } from '../../errors.js';
import { SECONDS_PER_DAY, wallSeconds } from './civil-time.js';

/** Zone abbreviations fail2ban knows, by offset in hours east of UTC. They never switch to DST. */
const ABBREVIATIONS_BY_OFFSET: readonly (readonly [number, string])[] = [
  [-12, 'Y'],
  [-11, 'X NUT SST'],
  [-10, 'W CKT HAST HST TAHT TKT'],
  [-9.5, 'MART MIT'],
  [-9, 'V AKST GAMT GIT HADT HNY'],
  [-8, 'U AKDT CIST HAY HNP PST PT'],
  [-7, 'T HAP HNR MST PDT'],
  [-6, 'S CST EAST GALT HAR HNC MDT'],
  [-5, 'R CDT COT EASST ECT EST ET HAC HNE PET'],
  [-4.5, 'HLV VET'],
  [-4, 'Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT'],
  [-3.5, 'HNT NST NT'],
  [-3, 'P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT'],
  [-2.5, 'HAT NDT'],
  [-2, 'O BRST FNT PMDT UYST WGST'],
  [-1, 'N AZOT CVT EGT'],
  [0, 'Z EGST GMT UTC WET WT'],
  [1, 'A CET DFT WAT WEDT WEST'],
  [2, 'B CAT CEDT CEST EET SAST WAST'],
  [3, 'C EAT EEDT EEST IDT MSK'],
  [3.5, 'IRST'],
  [4, 'D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT'],
  [4.5, 'AFT IRDT'],
  [5, 'E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT'],
  [5.5, 'SLT'],
  [5.75, 'NPT'],
  [6, 'F ALMT BIOT BTT IOT KGT NOVT OMST YEKST'],
  [6.5, 'CCT MMT'],
  [7, 'G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB'],
  [8, 'H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST'],
  [9, 'I AWDT IRKST JST KST PWT TLT WDT WIT YAKT'],
  [9.5, 'ACST'],
  [10, 'K AEST ChST PGT VLAT YAKST YAPT'],
  [10.5, 'ACDT LHST'],
  [11, 'L AEDT LHDT MAGT NCT PONT SBT VLAST VUT'],
  [11.5, 'NFT'],
  [12, 'M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT'],
  [13, 'FJST NZDT'],
];

const ABBREVIATION_MINUTES = new Map<string, number>();
for (const [hours, names] of ABBREVIATIONS_BY_OFFSET) {
  for (const name of names.split(' ')) ABBREVIATION_MINUTES.set(name, Math.trunc(hours * 60));
}

const FIXED_ZONE_RE = /^([A-Z](?:[A-Z]{2,4})?)?([+-][01]\d(?::?\d{2})?)?$/;

/**
 * Minutes east of UTC of a fixed-offset zone (`UTC`, `CET`, `+02`, `-0530`, `GMT+12`, `CET+01:30`), or
 * null when fail2ban would not accept the text. Like fail2ban, an empty text means UTC.
 */
export function fixedZoneMinutes(text: string): number | null {
  const m = FIXED_ZONE_RE.exec(text);
  if (m === null) return null;
  const base = m[1] === undefined ? 0 : ABBREVIATION_MINUTES.get(m[1]);
  if (base === undefined) return null;
  const offset = m[2];
  if (offset === undefined) return base;
  const sign = offset[0] === '-' ? -1 : 1;
  const hours = Number(offset.slice(1, 3));
  if (offset.length <= 3) return base + sign * hours * 60;
  const minutes = Number(offset[3] === ':' ? offset.slice(4, 6) : offset.slice(3, 5));
  return base + sign * (hours * 60 + minutes);
}

/** Offsets of a zone whose rules change over time, memoised per quarter hour of UTC time. */
export class ZoneOffsets {
  private readonly cache = new Map<number, number>();
  private lastBucket = Number.NaN;
  private lastOffset = 0;
  private lastWallOffset: number | undefined;
  // A span of wall-clock time known to have a single offset, so most conversions need no lookup.
  private stableFrom = 0;
  private stableTo = -1;
  private stableOffset = 0;

  /** `compute(utcSeconds)` returns the offset east of UTC in seconds at that instant. */
  constructor(private readonly compute: (utcSeconds: number) => number) {}

  /** Offset east of UTC, in seconds, at `utcSeconds`. */
  offsetAt(utcSeconds: number): number {
    const bucket = Math.floor(utcSeconds / 900);
    if (bucket === this.lastBucket) return this.lastOffset;
    let offset = this.cache.get(bucket);
    if (offset === undefined) {
      offset = this.compute(bucket * 900);
      if (this.cache.size >= 50_000) this.cache.clear();
      this.cache.set(bucket, offset);
    }
    this.lastBucket = bucket;
    this.lastOffset = offset;
    return offset;
  }

  /**
   * The instant a wall-clock reading (seconds, read as UTC) denotes in this zone, as the C library's
   * mktime finds it for fail2ban: a reading that occurs twice (clocks set back) keeps the offset of the
   * previous conversion when that is one of the two (so a log running through the repeated hour is read
   * in order), else the later instant; a reading skipped by a forward jump uses the offset before the jump.
   */
  wallToUtc(wall: number): number {
    if (wall >= this.stableFrom && wall <= this.stableTo) {
      this.lastWallOffset = this.stableOffset;
      return wall - this.stableOffset;
    }
    const before = this.offsetAt(wall - SECONDS_PER_DAY);
    const after = this.offsetAt(wall + SECONDS_PER_DAY);
    let offset = before;
    if (before === after) {
      this.stableFrom = wall - SECONDS_PER_DAY / 2;
      this.stableTo = wall + SECONDS_PER_DAY / 2;
      this.stableOffset = before;
    } else {
      const earlyValid = this.offsetAt(wall - before) === before;
      const lateValid = this.offsetAt(wall - after) === after;
      if (earlyValid && lateValid) {
        const later = wall - before > wall - after ? before : after;
        offset = this.lastWallOffset === before || this.lastWallOffset === after ? this.lastWallOffset : later;
      } else if (lateValid) {
        offset = after;
      }
    }
    this.lastWallOffset = offset;
    return wall - offset;
  }
}

/** The process's zone, as the C library sees it (the `TZ` environment variable). */
export function processZone(): ZoneOffsets {
  return new ZoneOffsets((t) => -new Date(t * 1000).getTimezoneOffset() * 60);
}

/** An IANA zone such as `Europe/Zurich`; null when Intl does not know it. */
export function ianaZone(id: string): ZoneOffsets | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return null;
  }
  return new ZoneOffsets((t) => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(t * 1000)) parts[part.type] = part.value;
    const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
    const wall = wallSeconds(year, Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
    return wall - t;
  });
}

/** A `logtimezone`: a fixed offset in minutes (fail2ban's kind) or a zone with rules (IANA). */
export type LogTimeZone = { kind: 'fixed'; minutes: number } | { kind: 'rules'; zone: ZoneOffsets };

/** Validates a `logtimezone` value; fixed-offset spellings win over IANA names, as in fail2ban. */
export function parseLogTimeZone(value: string): LogTimeZone {
  const minutes = fixedZoneMinutes(value);
  if (minutes !== null) return { kind: 'fixed', minutes };
  const zone = ianaZone(value);
  if (zone !== null) return { kind: 'rules', zone };
  throw new BanwardError(
    'BANWARD_ERR_TIMEZONE',
    `Unknown time zone '${value}': use UTC, an offset such as UTC+0200, +0200 or -05:00, an abbreviation such as CET, or an IANA name such as Europe/Zurich.`,
  );
}

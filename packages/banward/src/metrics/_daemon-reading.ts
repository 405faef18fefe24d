import type { DaemonControl, JailCounters, JailStatus } from '../control/index.js';
import { CarriedTotals, type CounterValues } from './_carried-totals.js';

/** One jail as a scrape sees it. */
export interface JailReading {
  jail: string;
  status: JailStatus;
  settings: { bantime: number; findtime: number; maxretry: number };
  /** The pipeline counters, carried across reloads (keys from `counterValues`). */
  totals: CounterValues;
  /** The matching time buckets' bounds (the counts are in `totals`). */
  matchBuckets: readonly number[];
  actions: readonly { action: string; operation: string }[];
  sourceLag: JailCounters['sourceLag'];
}

/** The daemon as one scrape sees it: every series of the scrape is rendered from this one reading. */
export interface DaemonReading {
  jails: JailReading[];
  /** Jails that could not be read (gone between listing and reading them: a reload ran). */
  failedReads: number;
}

export const matchKey = (bucket: number): string => `match\0${bucket}`;
export const actionKey = (what: 'runs' | 'failures', action: string, operation: string): string => `${what}\0${action}\0${operation}`;

function counterValues(c: JailCounters, status: JailStatus): CounterValues {
  const values: CounterValues = new Map([
    ['failures', status.filter.totalFailed],
    ['lines_read', c.linesRead],
    ['lines_matched', c.linesMatched],
    ['ignored', c.ignoredFailures],
    ['abandoned', c.abandonedLines],
    ['match_sum', c.matchSeconds.sum],
  ]);
  c.matchSeconds.counts.forEach((count, i) => values.set(matchKey(i), count));
  for (const a of c.actions) {
    values.set(actionKey('runs', a.action, a.operation), a.runs);
    values.set(actionKey('failures', a.action, a.operation), a.failures);
  }
  return values;
}

/** Reads the daemon through DaemonControl only, once per scrape. */
export class DaemonReader {
  private readonly carried = new CarriedTotals();
  /** Every action and operation seen per jail: a rebuilt jail's series stay until it runs them again. */
  private readonly actionsSeen = new Map<string, Map<string, { action: string; operation: string }>>();

  constructor(private readonly control: DaemonControl) {}

  read(): DaemonReading {
    const jails: JailReading[] = [];
    let failedReads = 0;
    for (const jail of this.control.jailNames()) {
      try {
        jails.push(this.readJail(jail));
      } catch {
        failedReads++;
      }
    }
    return { jails, failedReads };
  }

  private readJail(jail: string): JailReading {
    const status = this.control.jailStatus(jail);
    const counters = this.control.jailCounters(jail);
    const settings = {
      bantime: this.control.option(jail, 'bantime'),
      findtime: this.control.option(jail, 'findtime'),
      maxretry: this.control.option(jail, 'maxretry'),
    };
    const seen = this.actionsSeen.get(jail) ?? new Map<string, { action: string; operation: string }>();
    this.actionsSeen.set(jail, seen);
    for (const { action, operation } of counters.actions) seen.set(`${action}\0${operation}`, { action, operation });
    return {
      jail,
      status,
      settings,
      totals: this.carried.totals(jail, counterValues(counters, status)),
      matchBuckets: counters.matchSeconds.buckets,
      actions: [...seen.values()],
      sourceLag: counters.sourceLag,
    };
  }
}

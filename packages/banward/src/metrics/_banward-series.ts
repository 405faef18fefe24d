import { Counter, type Registry } from 'prom-client';
import type { DaemonEvent } from '../control/index.js';
import { VERSION } from '../version.js';
import { BucketedHistogram } from './_bucketed-histogram.js';
import { actionKey, matchKey, type DaemonReading, type JailReading } from './_daemon-reading.js';
import { ScrapedSeries, type Samples } from './_scraped-series.js';

const perJail = (reading: DaemonReading, value: (j: JailReading) => number): Samples =>
  reading.jails.map((j) => [{ jail: j.jail }, value(j)]);

const total = (key: string) => (reading: DaemonReading): Samples => perJail(reading, (j) => j.totals.get(key) ?? 0);

const perAction = (what: 'runs' | 'failures') => (reading: DaemonReading): Samples =>
  reading.jails.flatMap((j) => j.actions.map(({ action, operation }): Samples[number] => [
    { jail: j.jail, action, operation }, j.totals.get(actionKey(what, action, operation)) ?? 0,
  ]));

/** Counters kept from the daemon's events; every running jail's series exist from the first scrape, at 0. */
function eventCounters(registry: Registry, reading: () => DaemonReading): (event: DaemonEvent) => void {
  const zeroFor = (labels: (jail: string) => Array<Record<string, string>>) => function (this: Counter) {
    for (const j of reading().jails) for (const l of labels(j.jail)) this.inc(l, 0);
  };
  const jailOnly = (jail: string) => [{ jail }];
  const bans = new Counter({
    name: 'banward_bans_total', help: 'Bans committed (by failures, by hand or by a report)',
    labelNames: ['jail'], registers: [registry], collect: zeroFor(jailOnly),
  });
  const unbans = new Counter({
    name: 'banward_unbans_total', help: 'Bans lifted: reason expired (its time was up) or lifted (by hand)',
    labelNames: ['jail', 'reason'], registers: [registry],
    collect: zeroFor((jail) => [{ jail, reason: 'expired' }, { jail, reason: 'lifted' }]),
  });
  const reloads = new Counter({
    name: 'banward_reloads_total', help: 'Reloads: result ok (applied) or refused (nothing changed)',
    labelNames: ['result'], registers: [registry],
    collect() { for (const result of ['ok', 'refused']) this.inc({ result }, 0); },
  });
  return (event) => {
    switch (event.type) {
      case 'found': break;
      case 'ban': bans.inc({ jail: event.jail }); break;
      case 'unban': unbans.inc({ jail: event.jail, reason: event.reason }); break;
      case 'reload': reloads.inc({ result: 'ok' }); break;
      case 'reload-refused': reloads.inc({ result: 'refused' }); break;
      case 'action-error': break;
    }
  };
}

/** banward's own series (`banward_*`); returns the listener that keeps the event counters. */
export function banwardSeries(registry: Registry, reading: () => DaemonReading): (event: DaemonEvent) => void {
  const scraped = new ScrapedSeries(registry, reading);
  scraped.gauge({ name: 'banward_build_info', help: 'banward\'s version (always 1)', labelNames: ['version'], samples: () => [[{ version: VERSION }, 1]] });
  scraped.gauge({ name: 'banward_banned_current', help: 'Addresses and networks banned now', labelNames: ['jail'], samples: (r) => perJail(r, (j) => j.status.actions.currentlyBanned) });
  scraped.gauge({ name: 'banward_failed_current', help: 'Ids with failures counted within findtime now', labelNames: ['jail'], samples: (r) => perJail(r, (j) => j.status.filter.currentlyFailed) });
  scraped.gauge({
    name: 'banward_jail_enforced', help: 'Whether the jail\'s bans block anyone (0: no action, or none that can block here)',
    labelNames: ['jail'], samples: (r) => perJail(r, (j) => (j.status.actions.notEnforced === undefined ? 1 : 0)),
  });
  scraped.gauge({
    name: 'banward_source_lag_bytes', help: 'Bytes between the read position and the end of each log file followed',
    labelNames: ['jail', 'file'], samples: (r) => r.jails.flatMap((j) => j.sourceLag.map(({ file, bytes }): Samples[number] => [{ jail: j.jail, file }, bytes])),
  });
  scraped.counter({ name: 'banward_failures_total', help: 'Failures counted against an address (those the ignore list drops are not)', labelNames: ['jail'], samples: total('failures') });
  scraped.counter({ name: 'banward_lines_read_total', help: 'Log lines read by the jail\'s sources', labelNames: ['jail'], samples: total('lines_read') });
  scraped.counter({ name: 'banward_lines_matched_total', help: 'Log lines that gave at least one failure', labelNames: ['jail'], samples: total('lines_matched') });
  scraped.counter({ name: 'banward_ignored_failures_total', help: 'Failures the ignore list dropped', labelNames: ['jail'], samples: total('ignored') });
  scraped.counter({ name: 'banward_lines_abandoned_total', help: 'Lines given up because one regex held them longer than linetimeout', labelNames: ['jail'], samples: total('abandoned') });
  scraped.counter({
    name: 'banward_actions_run_total', help: 'Action operations run (ban, unban, restore, check, reconcile), one per batch of addresses',
    labelNames: ['jail', 'action', 'operation'], samples: perAction('runs'),
  });
  scraped.counter({
    name: 'banward_actions_failed_total', help: 'Action operations that failed', labelNames: ['jail', 'action', 'operation'], samples: perAction('failures'),
  });
  new BucketedHistogram('banward_match_duration_seconds', 'Time the jail\'s filter took to match one batch of lines', ['jail'], registry, () =>
    reading().jails.map((j) => ({
      labels: { jail: j.jail },
      buckets: j.matchBuckets,
      counts: Array.from({ length: j.matchBuckets.length + 1 }, (_, i) => j.totals.get(matchKey(i)) ?? 0),
      sum: j.totals.get('match_sum') ?? 0,
    })));
  return eventCounters(registry, reading);
}

import { Counter, type Registry } from 'prom-client';
import { VERSION } from '../version.js';
import type { DaemonReading, JailReading } from './_daemon-reading.js';
import { ScrapedSeries, type Samples } from './_scraped-series.js';

const perJail = (value: (j: JailReading) => number) => (reading: DaemonReading): Samples =>
  reading.jails.map((j) => [{ jail: j.jail }, value(j)]);

/**
 * The series of hectorjsmith/fail2ban-prometheus-exporter (collector/f2b/socket.go), with its names,
 * labels, types and help texts, so dashboards built for fail2ban keep working. Its `_total` series are
 * gauges there (fail2ban's own totals, which restart with the jail), and so they are here.
 */
export function f2bSeries(registry: Registry, reading: () => DaemonReading): void {
  const scraped = new ScrapedSeries(registry, reading);
  // In-process there is no socket to fail: whenever the metrics answer, the server is up.
  scraped.gauge({ name: 'f2b_up', help: 'Check if the fail2ban server is up', samples: () => [[{}, 1]] });
  scraped.gauge({ name: 'f2b_jail_count', help: 'Number of defined jails', samples: (r) => [[{}, r.jails.length]] });
  scraped.gauge({ name: 'f2b_jail_failed_current', help: 'Number of current failures on this jail\'s filter', labelNames: ['jail'], samples: perJail((j) => j.status.filter.currentlyFailed) });
  scraped.gauge({ name: 'f2b_jail_failed_total', help: 'Number of total failures on this jail\'s filter', labelNames: ['jail'], samples: perJail((j) => j.status.filter.totalFailed) });
  scraped.gauge({ name: 'f2b_jail_banned_current', help: 'Number of IPs currently banned in this jail', labelNames: ['jail'], samples: perJail((j) => j.status.actions.currentlyBanned) });
  scraped.gauge({
    name: 'f2b_jail_banned_total', help: 'Total number of IPs banned by this jail (includes expired bans)',
    labelNames: ['jail'], samples: perJail((j) => j.status.actions.totalBanned),
  });
  scraped.gauge({
    name: 'f2b_config_jail_ban_time', help: 'How long an IP is banned for in this jail (in seconds)', labelNames: ['jail'], samples: perJail((j) => j.settings.bantime),
  });
  scraped.gauge({
    name: 'f2b_config_jail_find_time', help: 'How far back will the filter look for failures in this jail (in seconds)',
    labelNames: ['jail'], samples: perJail((j) => j.settings.findtime),
  });
  scraped.gauge({
    name: 'f2b_config_jail_max_retries', help: 'The number of failures allowed until the IP is banned by this jail',
    labelNames: ['jail'], samples: perJail((j) => j.settings.maxretry),
  });
  scraped.gauge({
    name: 'f2b_version', help: 'Version of the exporter and fail2ban server', labelNames: ['exporter', 'fail2ban'],
    samples: () => [[{ exporter: `banward-${VERSION}`, fail2ban: `banward-${VERSION}` }, 1]],
  });
  let failedReads = 0;
  new Counter({
    name: 'f2b_errors', help: 'Number of errors found since startup', labelNames: ['type'], registers: [registry],
    collect() {
      // socket_req: a jail that could not be read during a scrape (it went away with a reload).
      failedReads += reading().failedReads;
      this.reset();
      this.inc({ type: 'socket_conn' }, 0);
      this.inc({ type: 'socket_req' }, failedReads);
    },
  });
}

import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DaemonControl } from '../control/index.js';
import { banwardSeries } from './_banward-series.js';
import { DaemonReader, type DaemonReading } from './_daemon-reading.js';
import { f2bSeries } from './_f2b-series.js';

/** What `GET /metrics` serves: the body of one scrape and its content type. */
export interface MetricsSource {
  contentType: string;
  render(): Promise<string>;
}

export interface MetricsOptions {
  /** prom-client's process and Node.js series (`process_*`, `nodejs_*`); default true. */
  processMetrics?: boolean;
}

/** How often the event loop's delay is sampled for nodejs_eventloop_lag_* (ms). */
const EVENT_LOOP_SAMPLE_MS = 1000;

/**
 * banward's Prometheus metrics, read through DaemonControl alone: gauges and pipeline counters at
 * scrape time, event counters from `subscribe` from now on. Its own registry, never prom-client's global one.
 */
export function createMetrics(control: DaemonControl, options: MetricsOptions = {}): MetricsSource & { close(): void } {
  const registry = new Registry();
  const reader = new DaemonReader(control);
  let current: DaemonReading = { jails: [], failedReads: 0 };
  const reading = (): DaemonReading => current;
  const onEvent = banwardSeries(registry, reading);
  f2bSeries(registry, reading);
  // prom-client samples the event loop's delay with a timer at this period (default 10 ms): 100 wakeups a
  // second cost an idle daemon ten times its own work. Once a second still catches a loop held for long.
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const unsubscribe = control.subscribe(onEvent, { found: false });
  let scrape: Promise<string> | null = null;
  return {
    contentType: registry.contentType,
    render() {
      // Scrapes that overlap share one reading and one rendering: every series agrees with the others.
      scrape ??= (async () => {
        current = reader.read();
        try {
          return await registry.metrics();
        } finally {
          current = { jails: [], failedReads: 0 };
          scrape = null;
        }
      })();
      return scrape;
    },
    close() {
      unsubscribe();
      registry.clear();
    },
  };
}

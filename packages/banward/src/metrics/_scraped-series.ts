import { Counter, Gauge, type LabelValues, type Registry } from 'prom-client';
import type { DaemonReading } from './_daemon-reading.js';

/** A series' samples: labels and value. */
export type Samples = Array<[LabelValues<string>, number]>;

export interface SeriesDefinition {
  name: string;
  help: string;
  labelNames?: string[];
  samples: (reading: DaemonReading) => Samples;
}

/** Drops the last scrape's samples and puts this one's. */
function refill<M extends { reset(): void }>(metric: M, samples: Samples, put: (metric: M, labels: LabelValues<string>, value: number) => void): void {
  metric.reset();
  for (const [labels, value] of samples) put(metric, labels, value);
}

/**
 * Series whose every value is read at scrape time from the daemon's reading: a jail gone with a reload
 * leaves no stale series.
 */
export class ScrapedSeries {
  constructor(private readonly registry: Registry, private readonly reading: () => DaemonReading) {}

  gauge({ name, help, labelNames = [], samples }: SeriesDefinition): void {
    const reading = this.reading;
    new Gauge({ name, help, labelNames, registers: [this.registry], collect() { refill(this, samples(reading()), (g, l, v) => g.set(l, v)); } });
  }

  /** A counter from values the pipeline keeps (carried across reloads, so they only grow). */
  counter({ name, help, labelNames = [], samples }: SeriesDefinition): void {
    const reading = this.reading;
    new Counter({ name, help, labelNames, registers: [this.registry], collect() { refill(this, samples(reading()), (c, l, v) => c.inc(l, v)); } });
  }
}

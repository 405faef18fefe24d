import { Histogram, type Registry } from 'prom-client';

/** One labelled histogram's data as the pipeline counts it: per-bucket counts, not cumulative; the last is +Inf. */
export interface BucketCounts {
  labels: Record<string, string>;
  buckets: readonly number[];
  counts: readonly number[];
  sum: number;
}

/**
 * A histogram whose buckets are counted elsewhere (by the matcher, one increment per batch) and read at
 * scrape time: prom-client's Histogram only counts what it observes itself, so its export is replaced.
 */
export class BucketedHistogram extends Histogram {
  constructor(
    private readonly seriesName: string,
    private readonly seriesHelp: string,
    labelNames: string[],
    registry: Registry,
    private readonly read: () => BucketCounts[],
  ) {
    super({ name: seriesName, help: seriesHelp, labelNames, registers: [registry] });
  }

  /** What prom-client's registry renders (the same shape its own Histogram gives). */
  getForPromString(): Promise<unknown> {
    const values: unknown[] = [];
    const sample = (suffix: string, labels: Record<string, string>, sharedLabels: Record<string, string>, value: number) =>
      values.push({ metricName: `${this.seriesName}${suffix}`, labels, sharedLabels, value });
    for (const h of this.read()) {
      let cumulative = 0;
      h.buckets.forEach((le, i) => {
        cumulative += h.counts[i] ?? 0;
        sample('_bucket', { le: String(le) }, h.labels, cumulative);
      });
      cumulative += h.counts[h.buckets.length] ?? 0;
      sample('_bucket', { le: '+Inf' }, h.labels, cumulative);
      sample('_sum', {}, h.labels, h.sum);
      sample('_count', {}, h.labels, cumulative);
    }
    return Promise.resolve({ name: this.seriesName, help: this.seriesHelp, type: 'histogram', values, aggregator: 'sum' });
  }
}

export { createMetrics } from './create-metrics.js';
export type { MetricsOptions, MetricsSource } from './create-metrics.js';

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createMetrics } from './create-metrics.js';
import { fakeControl, parseExposition } from './_test-support.js';

test('docs/metrics.md lists every banward_* and f2b_* series served, and no other', async () => {
  const doc = readFileSync(new URL('../../../../../docs/metrics.md', import.meta.url), 'utf8');
  const metrics = createMetrics(fakeControl().control, { processMetrics: false });
  const served = [...parseExposition(await metrics.render()).type.keys()].sort();
  metrics.close();
  const documented = [...new Set([...doc.matchAll(/^\| `((?:banward|f2b)_[a-z_]+)` \|/gm)].map((m) => m[1]!))].sort();
  assert.deepEqual(documented, served);
});

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { MATCH_SECONDS_BUCKETS, MatchStats } from './match-stats.js';

test('a batch falls in the first bucket its time does not exceed; one above them all in the last', () => {
  const stats = new MatchStats();
  stats.observe(10, 1, 0.0001);
  stats.observe(10, 0, 0.003);
  stats.observe(5, 5, 60);
  const last = MATCH_SECONDS_BUCKETS.length;
  assert.equal(stats.batchSeconds.length, last + 1);
  assert.equal(stats.batchSeconds[0], 1, 'a bound is inclusive (le)');
  assert.equal(stats.batchSeconds[MATCH_SECONDS_BUCKETS.indexOf(0.005)], 1);
  assert.equal(stats.batchSeconds[last], 1);
  assert.deepEqual([stats.lines, stats.matched, stats.seconds], [25, 6, 60.0031]);
});

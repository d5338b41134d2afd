// The histogram reader on the agent's real exposition format (prom-client's text for
// waggle_service_implementation_delay_seconds): one action's count, sum and buckets, the
// difference between two scrapes, and histogram_quantile's interpolation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delta, quantile, snapshot } from './histogram.js';

const scrape = (n1: number, n5: number, n10: number, sum: number) =>
  [
    '# HELP waggle_service_implementation_delay_seconds Time from a change to its rows',
    '# TYPE waggle_service_implementation_delay_seconds histogram',
    `waggle_service_implementation_delay_seconds_bucket{le="0.001",action="update"} ${n1}`,
    `waggle_service_implementation_delay_seconds_bucket{le="0.005",action="update"} ${n5}`,
    `waggle_service_implementation_delay_seconds_bucket{le="0.01",action="update"} ${n10}`,
    `waggle_service_implementation_delay_seconds_bucket{le="+Inf",action="update"} ${n10}`,
    `waggle_service_implementation_delay_seconds_sum{action="update"} ${sum}`,
    `waggle_service_implementation_delay_seconds_count{action="update"} ${n10}`,
    'waggle_service_implementation_delay_seconds_bucket{le="0.001",action="add"} 7',
    'waggle_service_implementation_delay_seconds_count{action="add"} 7',
  ].join('\n');

test('one action, two scrapes: count, sum and buckets of what came between', () => {
  const before = snapshot(scrape(2, 2, 2, 0.001), 'update');
  const after = snapshot(scrape(4, 10, 12, 0.051), 'update');
  assert.equal(before.count, 2);
  assert.equal(snapshot(scrape(0, 0, 0, 0), 'add').count, 7);
  const d = delta(before, after);
  assert.equal(d.count, 10);
  assert.ok(Math.abs(d.sum - 0.05) < 1e-12);
  assert.deepEqual(d.buckets, [
    [0.001, 2],
    [0.005, 8],
    [0.01, 10],
    [Number.POSITIVE_INFINITY, 10],
  ]);
  // rank 5 of 10 lies in (0.001, 0.005]: 3 of its 6 observations → 0.001 + 0.004 × 3/6.
  assert.ok(Math.abs(quantile(d, 0.5) - 0.003) < 1e-12);
  assert.ok(Math.abs(quantile(d, 0.99) - (0.005 + (0.005 * (9.9 - 8)) / 2)) < 1e-12);
  assert.ok(Number.isNaN(quantile(snapshot('', 'update'), 0.5)));
});

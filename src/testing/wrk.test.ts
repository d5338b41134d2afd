import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWrk } from './wrk.js';

const CLEAN = `Running 5s test @ http://10.0.10.0/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  612.40us   9.87ms   80.12%
    Req/Sec     5.31k   210.11     5.70k    72.00%
  Latency Distribution
     50%    1.41ms
     75%    1.80ms
     90%    2.30ms
     99%    3.90ms
  26415 requests in 5.00s, 21.39MB read
Requests/sec:   5282.41
Transfer/sec:      4.28MB
`;

test('a clean run: totals, requests/s, percentiles in ms, no failures', () => {
  const r = parseWrk(CLEAN);
  assert.equal(r.requests, 26415);
  assert.equal(r.seconds, 5);
  assert.equal(r.requestsPerSec, 5282.41);
  assert.deepEqual(r.latencyMs, { p50: 1.41, p75: 1.8, p90: 2.3, p99: 3.9 });
  assert.equal(r.failed, 0);
});

test('socket errors of every kind and non-2xx answers are all counted as failed', () => {
  const text = CLEAN.replace(
    'Requests/sec',
    '  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx or 3xx responses: 5\nRequests/sec',
  )
    .replace('99%    3.90ms', '99%  830.00us')
    .replace('50%    1.41ms', '50%    1.20s');
  const r = parseWrk(text);
  assert.deepEqual(r.socketErrors, { connect: 1, read: 2, write: 3, timeout: 4 });
  assert.equal(r.non2xx, 5);
  assert.equal(r.failed, 15);
  assert.equal(r.latencyMs.p99, 0.83);
  assert.equal(r.latencyMs.p50, 1200);
});

test('output without the totals line (wrk failed to start) is an error, not a clean run', () => {
  assert.throws(() => parseWrk('unable to connect to 10.0.10.0:80 Connection refused\n'), /no "requests in"/);
});

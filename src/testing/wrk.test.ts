// parseWrk on wrk 4.1's output: a clean run, and one with socket errors and non-2xx answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWrk } from './wrk.js';

const clean = `Running 4s test @ http://10.96.0.10/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   259.82us   82.11us   3.73ms   97.16%
    Req/Sec    73.53k    16.80k   80.71k    95.24%
  153169 requests in 4.00s, 124.60MB read
Requests/sec:  38289.10
Transfer/sec:     31.15MB
`;

test('a clean wrk run: its requests and no failure', () => {
  const r = parseWrk(clean);
  assert.equal(r.requests, 153169);
  assert.equal(r.seconds, 4);
  assert.equal(r.failed, 0);
});

test('socket errors and non-2xx answers are all counted as failed', () => {
  const r = parseWrk(
    clean.replace(
      '  153169 requests in 4.00s, 124.60MB read\n',
      '  153169 requests in 4.00s, 124.60MB read\n  Socket errors: connect 3, read 20, write 119, timeout 1\n  Non-2xx or 3xx responses: 7\n',
    ),
  );
  assert.deepEqual(r.socketErrors, { connect: 3, read: 20, write: 119, timeout: 1 });
  assert.equal(r.non2xx, 7);
  assert.equal(r.failed, 150);
  assert.throws(() => parseWrk('wrk: command not found'), /not wrk output/);
});

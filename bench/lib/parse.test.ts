// The parsers the lab benches read their figures with, on real output: tcpdump -n -e -tt lines
// and `ip -ts monitor neigh` lines captured in a veth pair, etcd 3.4 /metrics text.
// Run: node --test dist/bench/lib/parse.test.js
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGarp, parseArpLine, parseNeighLine } from './capture.js';
import { parseMetrics, rates } from './etcd-metrics.js';
import { percentile, summarize } from './report.js';

const TCPDUMP = [
  '1795238580.095666 f2:e6:30:96:e4:81 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 58: Request who-has 10.77.0.2 tell 10.77.0.1, length 44',
  '1795238580.095686 b2:4b:04:3b:6b:94 > f2:e6:30:96:e4:81, ethertype ARP (0x0806), length 42: Reply 10.77.0.2 is-at b2:4b:04:3b:6b:94, length 28',
  '1795238580.247632 b2:4b:04:3b:6b:94 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 58: Reply 10.77.0.2 is-at b2:4b:04:3b:6b:94, length 44',
  'listening on mzv0, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
];

test('tcpdump ARP lines: request, answer, gratuitous reply; other lines ignored', () => {
  const [req, rep, garp, other] = TCPDUMP.map(parseArpLine);
  assert.deepEqual(req, {
    tMs: 1795238580095.666,
    src: 'f2:e6:30:96:e4:81',
    dst: 'ff:ff:ff:ff:ff:ff',
    op: 'request',
    ip: '10.77.0.2',
    what: '10.77.0.1',
  });
  assert.equal(rep?.op, 'reply');
  assert.equal(rep?.what, 'b2:4b:04:3b:6b:94');
  assert.ok(rep && req && Math.abs(rep.tMs - req.tMs - 0.02) < 1e-3, 'µs precision kept');
  assert.equal(rep && isGarp(rep), false);
  assert.equal(garp && isGarp(garp), true);
  assert.equal(other, undefined);
});

test('ip -ts monitor neigh lines, read as local time', () => {
  const c = parseNeighLine('[2026-11-21T05:17:46.529579] 10.9.9.9 dev mzva lladdr 02:00:00:00:00:01 STALE ');
  assert.equal(c?.ip, '10.9.9.9');
  assert.equal(c?.mac, '02:00:00:00:00:01');
  assert.equal(c?.state, 'STALE');
  const local = new Date(2026, 10, 21, 5, 17, 46, 529).getTime();
  assert.ok(c && Math.abs(c.tMs - local - 0.579) < 1e-3);
  assert.equal(parseNeighLine('Deleted 10.9.9.9 dev mzva'), undefined);
});

test('etcd metrics: rates per second between two scrapes, unary requests by method', () => {
  const text = (range: number, txn: number, put: number) =>
    [
      '# TYPE etcd_mvcc_put_total counter',
      `etcd_mvcc_put_total ${put}`,
      `grpc_server_handled_total{grpc_code="OK",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} ${range}`,
      `grpc_server_handled_total{grpc_code="OK",grpc_method="Txn",grpc_service="etcdserverpb.KV",grpc_type="unary"} ${txn}`,
      'grpc_server_handled_total{grpc_code="OK",grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 7',
    ].join('\n');
  const a = { tMs: 0, values: parseMetrics(text(100, 10, 10)) };
  const b = { tMs: 10_000, values: parseMetrics(text(300, 60, 60)) };
  const r = rates(a, b);
  assert.equal(r.requestsPerS, 25);
  assert.deepEqual(r.byMethodPerS, { Range: 20, Txn: 5 });
  assert.equal(r.putsPerS, 5);
});

test('percentiles are nearest-rank', () => {
  const xs = Array.from({ length: 20 }, (_, i) => 20 - i);
  assert.equal(percentile(xs, 50), 10);
  assert.equal(percentile(xs, 99), 20);
  assert.deepEqual(summarize([3, 1, 2]), { n: 3, p50: 2, p99: 3, max: 3, min: 1 });
  assert.ok(Number.isNaN(percentile([], 50)));
});

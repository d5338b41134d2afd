import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  base32,
  benchServices,
  iptablesRestore,
  nftEndpointChain,
  nftRuleset,
  nftRulesetBatches,
  nftServiceChain,
  probability,
  sepChain,
  svcChain,
} from './rules.js';
import { busyFraction, parseCpuLine } from './cpu-busy.js';
import { median, medianSample, parseList, ratio, roundOrder } from './stats.js';

const T = [
  { ip: '10.20.0.2', port: 8080 },
  { ip: '10.20.0.3', port: 8080 },
];

test('base32 is RFC 4648 (Go StdEncoding) on its test vectors', () => {
  assert.equal(base32(Buffer.from('f')), 'MY');
  assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI');
});

test('chain names are kube-proxy hashes of the service port name', () => {
  const { services } = benchServices(0, T);
  const s = services[0];
  assert.ok(s);
  assert.match(svcChain(s), /^KUBE-SVC-[A-Z2-7]{16}$/);
  assert.match(sepChain(s, T[0] as (typeof T)[0]), /^KUBE-SEP-[A-Z2-7]{16}$/);
  assert.notEqual(sepChain(s, T[0] as (typeof T)[0]), sepChain(s, T[1] as (typeof T)[0]));
  assert.match(nftServiceChain(s), /^service-[A-Z2-7]{8}-bench\/svc-0\/tcp\/p80$/);
  assert.match(
    nftEndpointChain(s, T[1] as (typeof T)[0]),
    /^endpoint-[A-Z2-7]{8}-bench\/svc-0\/tcp\/p80__10\.20\.0\.3\/8080$/,
  );
});

test('measured services sit first, in the middle and last; fillers never reach the target', () => {
  const { services, measured } = benchServices(1000, T);
  assert.equal(services.length, 1003);
  assert.equal(services[0], measured.first);
  assert.equal(services[501], measured.middle);
  assert.equal(services[1002], measured.last);
  assert.equal(services.filter((s) => s.endpoints[0]?.ip === '10.20.0.2').length, 3);
  assert.equal(new Set(services.map((s) => s.vip)).size, 1003);
  const z = benchServices(0, T);
  assert.equal(z.services.length, 1);
});

test('iptables: KUBE-SERVICES → KUBE-SVC (statistic 0.5, then none) → KUBE-SEP DNAT; rule count 5 + S(2+3E)', () => {
  const { services, measured } = benchServices(0, T);
  const txt = iptablesRestore(services);
  const svc = svcChain(measured.first);
  assert.match(
    txt,
    new RegExp(
      `-A KUBE-SERVICES -m comment --comment "bench/svc-0:p80 cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 80 -j ${svc}\n`,
    ),
  );
  assert.match(
    txt,
    new RegExp(
      `-A ${svc} .*-m statistic --mode random --probability 0.5000000000 -j ${sepChain(measured.first, T[0] as (typeof T)[0])}\n`,
    ),
  );
  assert.match(
    txt,
    new RegExp(`-A ${svc} -m comment --comment "bench/svc-0:p80 -> 10.20.0.3:8080" -j KUBE-SEP`),
  );
  assert.match(txt, /-m tcp -p tcp -j DNAT --to-destination 10\.20\.0\.2:8080\n/);
  assert.equal(probability(3), '0.3333333333');
  const big = iptablesRestore(benchServices(997, T).services);
  const nat = big.split('*nat')[1] ?? '';
  // kube-proxy's 5 + S(2+3E) restore rules, plus the 3 base-chain jumps it adds with EnsureRule.
  assert.equal(nat.split('\n').filter((l) => l.startsWith('-A ')).length, 3 + 5 + 1000 * (2 + 3 * 2));
  assert.doesNotMatch(nat, /--comment "bench/, 'comments are dropped above 1000 endpoints');
});

test('nftables: service-ips vmap element → numgen random mod 2 vmap → endpoint dnat', () => {
  const { services, measured } = benchServices(0, T);
  const txt = nftRuleset(services);
  assert.match(
    txt,
    new RegExp(
      `10\\.96\\.0\\.1 \\. tcp \\. 80 : goto ${nftServiceChain(measured.first).replace(/\//g, '\\/')}`,
    ),
  );
  assert.match(
    txt,
    /numgen random mod 2 vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-bench\/svc-0\/tcp\/p80__10\.20\.0\.2\/8080, 1 : goto endpoint-/,
  );
  assert.match(txt, /meta l4proto tcp dnat to 10\.20\.0\.3:8080/);
  assert.match(txt, /ip daddr \. meta l4proto \. th dport vmap @service-ips/);
});

test('stats: medians, ratios, interleaving, list parsing', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  const a = { connectP50us: 40, connectP99us: 80, connPerSec: 9000, rrPerSec: 12000 };
  const b = { connectP50us: 20, connectP99us: 40, connPerSec: 10000, rrPerSec: 12000 };
  assert.deepEqual(ratio(a, b), { connectP50us: 2, connectP99us: 2, connPerSec: 0.9, rrPerSec: 1 });
  assert.deepEqual(medianSample([a, b, a]), a);
  assert.deepEqual(roundOrder(['x', 'y', 'z'], 1), ['z', 'y', 'x']);
  assert.deepEqual(parseList('--n', '0,1000'), [0, 1000]);
  assert.throws(() => parseList('--n', '0,x'), /--n "0,x"/);
});

test('cpu-busy: /proc/stat cpu line to busy ticks; fraction between readings', () => {
  const stat = 'cpu  9 9 9 9 9 0 0 0 0 0\ncpu0 10 1 5 100 4 1 2 0 0 0\ncpu1 1 0 1 50 0 0 0 0 0 0\n';
  assert.deepEqual(parseCpuLine(stat, '0'), { busy: 19, total: 123 });
  assert.deepEqual(parseCpuLine(stat, '1'), { busy: 2, total: 52 });
  assert.throws(() => parseCpuLine(stat, '2'), /no line for cpu2/);
  assert.equal(busyFraction({ busy: 2, total: 52 }, { busy: 12, total: 92 }), 0.25);
  assert.equal(busyFraction({ busy: 2, total: 52 }, { busy: 2, total: 52 }), 0);
});

test('nftables in batches: the same chains and service-ips elements as one transaction', () => {
  const { services } = benchServices(10, T);
  const one = nftRuleset(services);
  const parts = nftRulesetBatches(services, 4);
  assert.equal(parts.length, 1 + Math.ceil(services.length / 4));
  const chains = (t: string) => [...t.matchAll(/^ {2}chain (\S+) \{/gm)].map((m) => m[1]).sort();
  const elements = (t: string) =>
    [...t.matchAll(/(\S+ \. tcp \. \d+ : goto [^\s,]+)/g)].map((m) => m[1]).sort();
  assert.deepEqual(chains(parts.join('')), chains(one));
  assert.deepEqual(elements(parts.join('')), elements(one));
  assert.equal(elements(one).length, services.length);
  assert.equal(
    parts
      .slice(1)
      .join('')
      .match(/^add element ip kube-proxy service-ips/gm)?.length,
    parts.length - 1,
  );
  assert.deepEqual(nftRulesetBatches(services, 0), [one]);
});

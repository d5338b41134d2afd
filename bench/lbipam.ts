// LB-IPAM at 10,000 services from a /16, measured two ways in one run:
//  1. the pure allocator (no store): services/s, heap growth, and the cost of one more
//     allocation when 100 vs 10,000 services are allocated (it must not grow with the count);
//  2. the controller on a real etcd (started here): services/s from create to satisfied status,
//     and the latency of one more service at 100 vs 10,000 allocated.
// Prints a table and writes bench/results/lbipam.json. Run: node dist/bench/lbipam.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Service } from '../src/api/index.js';
import { LbIpamController } from '../src/lbipam/controller.js';
import { LbIpam } from '../src/lbipam/engine.js';
import { EtcdStore } from '../src/store/index.js';
import { startEtcd } from '../src/testing/etcd.js';

const N = Number(process.env.LBIPAM_BENCH_N ?? 10_000);
const PROBES = 200;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
const svc = (name: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer' },
});
const POOL = {
  apiVersion: 'cilium.io/v2alpha1' as const,
  kind: 'CiliumLoadBalancerIPPool' as const,
  metadata: { name: 'bench', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { blocks: [{ cidr: '10.20.0.0/16' }], disabled: false },
};

let peakHeap = 0;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 20);
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

/** ns for one more allocation (add + status, then delete to restore the count), median of PROBES. */
function probeEngine(engine: LbIpam): number {
  const times: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const t = process.hrtime.bigint();
    engine.upsertService(svc(`probe-${i}`));
    times.push(Number(process.hrtime.bigint() - t));
    engine.deleteService('default', `probe-${i}`);
  }
  return median(times);
}

function allocatorRun() {
  const heap0 = process.memoryUsage().heapUsed;
  peakHeap = heap0;
  const engine = new LbIpam();
  engine.upsertPool(POOL);
  let at100 = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    engine.upsertService(svc(`svc-${i}`));
    if (i === 99) at100 = probeEngine(engine);
  }
  const elapsed = Number(process.hrtime.bigint() - t0) - at100 * PROBES; // probes excluded (approx.)
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const atN = probeEngine(engine);
  const held = engine.holdings().size;
  if (held !== N) throw new Error(`allocator holds ${held} IPs, expected ${N}`);
  return {
    servicesPerSec: N / (elapsed / 1e9),
    oneMoreAt100Us: at100 / 1e3,
    oneMoreAtNUs: atN / 1e3,
    peakHeapMiB: mib(peakHeap - heap0),
  };
}

async function controllerRun() {
  const etcd = await startEtcd();
  const store = new EtcdStore({ endpoints: etcd.endpoints });
  const ctl = new LbIpamController({ store, log: () => {} });
  const heap0 = process.memoryUsage().heapUsed;
  peakHeap = heap0;
  try {
    await store.create({ ...POOL, metadata: { name: 'bench' } });
    await ctl.start();
    const waitSatisfied = async (name: string, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!ctl.engine.desiredFor('default', name)?.ingress.length || !(await isWritten(name))) {
        if (Date.now() > deadline) throw new Error(`${name} not satisfied in ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    const isWritten = async (name: string) => {
      await ctl.idle();
      return ctl.engine.desiredFor('default', name)?.condition?.status === 'True';
    };
    const oneMore = async (tag: string) => {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = process.hrtime.bigint();
        await store.create(svc(`${tag}-${i}`));
        await waitSatisfied(`${tag}-${i}`);
        times.push(Number(process.hrtime.bigint() - t));
        await store.delete('Service', `${tag}-${i}`);
      }
      return median(times) / 1e6;
    };
    const t0 = process.hrtime.bigint();
    let at100 = 0;
    let probeTime = 0;
    for (let i = 0; i < N; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, N - i) }, (_, j) => store.create(svc(`svc-${i + j}`))),
      );
      if (i === 0) {
        await waitSatisfied('svc-99');
        const p0 = process.hrtime.bigint();
        at100 = await oneMore('probe100');
        probeTime = Number(process.hrtime.bigint() - p0);
      }
    }
    await waitSatisfied(`svc-${N - 1}`, 400_000);
    const deadline = Date.now() + 120_000;
    while (ctl.engine.holdings().size < N && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const elapsed = Number(process.hrtime.bigint() - t0) - probeTime;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const atN = await oneMore('probe-n');
    return {
      servicesPerSec: N / (elapsed / 1e9),
      oneMoreAt100Ms: at100,
      oneMoreAtNMs: atN,
      peakHeapMiB: mib(peakHeap - heap0),
      writes: { ...ctl.writes },
    };
  } finally {
    await ctl.stop();
    await store.close();
    await etcd.stop();
  }
}

const alloc = allocatorRun();
const ctl = await controllerRun();
clearInterval(sampler);
const rows = [
  ['', 'pure allocator', 'controller + etcd'],
  ['services/s', alloc.servicesPerSec.toFixed(0), ctl.servicesPerSec.toFixed(0)],
  ['one more @100', `${alloc.oneMoreAt100Us.toFixed(1)} µs`, `${ctl.oneMoreAt100Ms.toFixed(2)} ms`],
  [`one more @${N}`, `${alloc.oneMoreAtNUs.toFixed(1)} µs`, `${ctl.oneMoreAtNMs.toFixed(2)} ms`],
  [
    `ratio @${N}/@100`,
    (alloc.oneMoreAtNUs / alloc.oneMoreAt100Us).toFixed(2),
    (ctl.oneMoreAtNMs / ctl.oneMoreAt100Ms).toFixed(2),
  ],
  ['peak heap growth', `${alloc.peakHeapMiB} MiB`, `${ctl.peakHeapMiB} MiB`],
];
for (const r of rows)
  process.stdout.write(
    `${(r[0] ?? '').padEnd(18)}${(r[1] ?? '').padStart(16)}${(r[2] ?? '').padStart(20)}\n`,
  );
process.stdout.write(`controller writes: ${JSON.stringify(ctl.writes)}\n`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/lbipam.json',
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, services: N, pool: '10.20.0.0/16', allocator: alloc, controller: ctl }, null, 2)}\n`,
);

// Store benchmark: 10,000 Services as one multi-document manifest through the real apply path
// (parseManifests → applyManifests) into a real etcd, listed back; the same into the memory
// store for a side-by-side ratio; and watch latency (write call → event) on both.
// Run: node dist/bench/store.js [count]   → table on stdout, JSON in bench/results/store.json
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Lease, parseManifests } from '../src/api/index.js';
import { applyManifests, EtcdStore, MemoryStore, type Store } from '../src/store/index.js';
import { startEtcd } from '../src/testing/etcd.js';

const count = Number(process.argv[2] ?? 10_000);

function manifest(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: bench\n  labels:\n    app: web-${i % 10}\n` +
        `spec:\n  type: LoadBalancer\n  ports:\n  - name: http\n    port: 80\n  - name: https\n    port: 443\n`,
    );
  }
  return docs.join('---\n');
}

const rssMiB = () => process.resourceUsage().maxRSS / 1024;
function etcdPeakMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function applyRun(store: Store, text: string, concurrency: number) {
  const t0 = performance.now();
  const objects = parseManifests([{ name: 'bench.yaml', text }]).map((d) => d.object);
  const t1 = performance.now();
  const results = await applyManifests(store, objects, { concurrency });
  const t2 = performance.now();
  const listed = await store.list({ kind: 'Service', namespace: 'bench' });
  const t3 = performance.now();
  if (listed.items.length !== count || results.some((r) => r.action !== 'created')) {
    throw new Error(`bench: listed ${listed.items.length} of ${count}`);
  }
  return {
    parseMs: t1 - t0,
    applyPerS: count / ((t2 - t1) / 1000),
    listMs: t3 - t2,
    listPerS: count / ((t3 - t2) / 1000),
  };
}

async function watchLatency(store: Store, writes: number) {
  const base: Lease = await store.create<Lease>({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'bench-lease', namespace: 'kube-system' },
    spec: { holderIdentity: 'node-0' },
  });
  const watch = store.watch({
    kind: 'Lease',
    namespace: 'kube-system',
    sinceRevision: base.metadata.resourceVersion ?? '0',
  });
  const it = watch[Symbol.asyncIterator]();
  const samples: number[] = [];
  let current = base;
  for (let i = 0; i < writes; i++) {
    const t0 = performance.now();
    current = await store.update({ ...current, spec: { ...current.spec, holderIdentity: `node-${i}` } });
    for (;;) {
      const next = await it.next();
      if (next.done) throw new Error('bench: watch ended');
      if (next.value.type !== 'RESYNC' && next.value.revision === current.metadata.resourceVersion) break;
    }
    samples.push(performance.now() - t0);
  }
  watch.close();
  samples.sort((a, b) => a - b);
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), writes };
}

const etcd = await startEtcd();
try {
  const text = manifest(count);
  const memory = new MemoryStore();
  const mem = await applyRun(memory, text, 1);
  const memWatch = await watchLatency(memory, 1000);
  await memory.close();
  const rssAfterMemory = rssMiB();

  const serial = new EtcdStore({ endpoints: etcd.endpoints, prefix: '/bench-serial/' });
  const etcdSerial = await applyRun(serial, text, 1);
  const etcdWatch = await watchLatency(serial, 1000);
  await serial.close();
  const parallel = new EtcdStore({ endpoints: etcd.endpoints, prefix: '/bench-parallel/' });
  const etcdParallel = await applyRun(parallel, text, 32);
  await parallel.close();

  const result = {
    count,
    node: process.version,
    memory: { ...mem, watch: memWatch },
    etcdConcurrency1: { ...etcdSerial, watch: etcdWatch },
    etcdConcurrency32: etcdParallel,
    ratios: {
      applyMemoryOverEtcd1: mem.applyPerS / etcdSerial.applyPerS,
      applyEtcd32OverEtcd1: etcdParallel.applyPerS / etcdSerial.applyPerS,
      watchP50EtcdOverMemory: etcdWatch.p50Ms / memWatch.p50Ms,
    },
    peakRssMiB: { benchProcess: rssMiB(), afterMemoryRuns: rssAfterMemory, etcd: etcdPeakMiB(etcd.pid) },
  };
  const f = (n: number, d = 0) => n.toFixed(d).padStart(10);
  const rows = [
    ['run', 'parse+validate ms', 'apply obj/s', 'list ms', 'list obj/s', 'watch p50 ms', 'watch p99 ms'],
    [
      'memory c=1',
      f(mem.parseMs),
      f(mem.applyPerS),
      f(mem.listMs),
      f(mem.listPerS),
      f(memWatch.p50Ms, 3),
      f(memWatch.p99Ms, 3),
    ],
    [
      'etcd c=1',
      f(etcdSerial.parseMs),
      f(etcdSerial.applyPerS),
      f(etcdSerial.listMs),
      f(etcdSerial.listPerS),
      f(etcdWatch.p50Ms, 3),
      f(etcdWatch.p99Ms, 3),
    ],
    [
      'etcd c=32',
      f(etcdParallel.parseMs),
      f(etcdParallel.applyPerS),
      f(etcdParallel.listMs),
      f(etcdParallel.listPerS),
      '-',
      '-',
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).trim().length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).trim().padStart(widths[i]!)).join('  '));
  console.log(
    `ratios: apply memory/etcd(c=1) ${result.ratios.applyMemoryOverEtcd1.toFixed(1)}x, etcd c=32/c=1 ${result.ratios.applyEtcd32OverEtcd1.toFixed(1)}x, watch p50 etcd/memory ${result.ratios.watchP50EtcdOverMemory.toFixed(1)}x`,
  );
  console.log(
    `peak RSS: bench process ${result.peakRssMiB.benchProcess.toFixed(0)} MiB (after memory runs ${rssAfterMemory.toFixed(0)} MiB), etcd ${result.peakRssMiB.etcd.toFixed(0)} MiB`,
  );
  writeFileSync('bench/results/store.json', `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await etcd.stop();
}

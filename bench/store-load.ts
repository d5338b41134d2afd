// Store load of L2 announcements: requests and writes per second that etcd itself counts, with
// 10, 100 and 1,000 announced services on the lab's 3 agent nodes (all candidates) at Cilium's
// default timings (15 s / 5 s / 2 s), next to the model of Cilium's per-service leases at the same
// timings (Cilium's L2 announcements docs, "Sizing client rate limit" and failover timing): the holder renews once per retryPeriod R, each other candidate polls
// every R × (1 + U(0, 1.2)), mean 1.6 R ⇒ per service 1/R + (N − 1)/(1.6 R) requests/s, 1/R writes/s.
// Run as root: node dist/bench/store-load.js [--window SECONDS] [--counts 10,100,1000]
import {
  CILIUM_DEFAULT,
  applyText,
  componentPid,
  cpuMsOf,
  freshLab,
  labStore,
  resetLab,
  serviceYaml,
  sleep,
  timingFlags,
  until,
} from './lib/lab.js';
import { type EtcdRates, rates, scrapeEtcd } from './lib/etcd-metrics.js';
import { numberFlag, printTable, runBench, writeResult } from './lib/report.js';

const NAMESPACE = 'load';
const CANDIDATES = 3;
const RETRY_S = 2;
const JITTER_MEAN = 1 + 1.2 / 2;

// Every agent node is a candidate (no nodeSelector), announcing on eth1 only.
const POLICY = `apiVersion: cilium.io/v2alpha1
kind: CiliumL2AnnouncementPolicy
metadata:
  name: load-all-nodes
spec:
  interfaces: ["^eth1$"]
  loadBalancerIPs: true
`;
const POOL = `apiVersion: cilium.io/v2alpha1
kind: CiliumLoadBalancerIPPool
metadata:
  name: load-pool
spec:
  blocks:
  - cidr: 10.0.16.0/21
`;

export function ciliumModel(services: number, candidates = CANDIDATES, retryS = RETRY_S) {
  const requestsPerS = services * (1 / retryS + (candidates - 1) / (JITTER_MEAN * retryS));
  return { requestsPerS, writesPerS: services / retryS };
}

async function heldLeases(store: ReturnType<typeof labStore>): Promise<number> {
  const list = await store.list({ kind: 'Lease', namespace: 'kube-system' });
  return list.items.filter((l) => (l.spec as { holderIdentity?: string })?.holderIdentity).length;
}

function cpuSnapshot(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [c, h] of [
    ['etcd', 'server'],
    ['operator', 'server'],
    ['agent', 'server'],
    ['agent', 'node-0'],
    ['agent', 'node-1'],
  ] as const) {
    const pid = componentPid(c, h);
    if (pid !== undefined) out.set(`${c}-${h}`, cpuMsOf(pid));
  }
  return out;
}

async function main() {
  const windowS = numberFlag('--window', 30);
  const countsArg = process.argv.includes('--counts')
    ? process.argv[process.argv.indexOf('--counts') + 1]
    : '10,100,1000';
  const counts = (countsArg ?? '').split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 2000))
    throw new Error(`--counts "${countsArg}": integers 1..2000`);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const rows: Array<Array<string | number>> = [
    [
      'services',
      'etcd req/s',
      'model req/s',
      'meas/model',
      'etcd writes/s',
      'model writes/s',
      'meas/model',
      'by method /s',
      'CPU % (etcd, agents)',
    ],
  ];
  const results: Array<{
    services: number;
    measured: EtcdRates;
    model: ReturnType<typeof ciliumModel>;
    cpuPercent: Record<string, number>;
    settleMs: number;
  }> = [];
  await freshLab(timingFlags(CILIUM_DEFAULT));
  const store = labStore();
  try {
    applyText(`${POOL}\n---\n${POLICY}`);
    let created = 0;
    for (const n of counts.sort((a, b) => a - b)) {
      const docs: string[] = [];
      for (; created < n; created++) docs.push(serviceYaml(`svc-${created}`, NAMESPACE));
      const t0 = Date.now();
      if (docs.length) applyText(docs.join('---\n'));
      const held = await until(
        300_000,
        async () => ((await heldLeases(store)) >= n ? true : undefined),
        1000,
      );
      if (!held) throw new Error(`${n} services: only ${await heldLeases(store)} leases held after 300 s`);
      const settleMs = Date.now() - t0;
      // Let the acquisition burst pass: a few retry periods of steady state before the window.
      await sleep(10_000);
      const a = scrapeEtcd();
      const ca = cpuSnapshot();
      await sleep(windowS * 1000);
      const b = scrapeEtcd();
      const cb = cpuSnapshot();
      const measured = rates(a, b);
      const cpuPercent = Object.fromEntries(
        [...cb].map(([k, v]) => [k, (100 * (v - (ca.get(k) ?? v))) / (measured.seconds * 1000)]),
      );
      const model = ciliumModel(n);
      results.push({ services: n, measured, model, cpuPercent, settleMs });
      say(
        `${n} services: ${measured.requestsPerS.toFixed(1)} req/s, ${measured.putsPerS.toFixed(1)} writes/s (all leases held after ${settleMs} ms)`,
      );
      rows.push([
        n,
        measured.requestsPerS.toFixed(1),
        model.requestsPerS.toFixed(1),
        `${(measured.requestsPerS / model.requestsPerS).toFixed(2)}×`,
        measured.putsPerS.toFixed(1),
        model.writesPerS.toFixed(1),
        `${(measured.putsPerS / model.writesPerS).toFixed(2)}×`,
        Object.entries(measured.byMethodPerS)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', '),
        `${(cpuPercent['etcd-server'] ?? 0).toFixed(0)}, ${['server', 'node-0', 'node-1'].map((h) => (cpuPercent[`agent-${h}`] ?? 0).toFixed(0)).join('/')}`,
      ]);
    }
  } finally {
    await store.close();
    await resetLab();
  }
  printTable(
    `store load at ${CILIUM_DEFAULT.lease}/${CILIUM_DEFAULT.renew}/${CILIUM_DEFAULT.retry}, ${CANDIDATES} candidate nodes, ${windowS} s window (etcd's /metrics)`,
    rows,
  );
  writeResult('store-load', { candidates: CANDIDATES, timings: CILIUM_DEFAULT, windowS, results });
}

runBench('store-load', main);

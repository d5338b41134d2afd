// The bench's results as the tables docs/benchmarks.md shows: programming from scratch, one
// more service, change → map, memory. Ratios are waggle's time over kube-proxy's (below 1:
// waggle is faster).
import { printTable, summarize } from '../lib/report.js';
import type { Series } from './agent-phases.js';
import { quantile } from './histogram.js';

export interface Phase {
  n: number;
  storeWrite: { objects: number; ms: number };
  waggle: { healthyMs: number; firstMs: number; allMs: number; polls: number };
  kubeProxy: { iptablesLegacyMs: number; nftMs?: number; nftChains?: number };
  memory: { agentRssKiB: number; maps: Record<string, { maxEntries: number; memlockBytes: number }> };
  add?: { waggleMap: Series; kubeProxyNftMs: number[]; kubeProxyIptablesMs: number[] };
  change?: Series;
}

export const stats = (s: Series) => ({
  map: summarize(s.mapMs),
  agent: summarize(s.agentMs),
  histogram: { ...s.histogram, p50s: quantile(s.histogram, 0.5), p99s: quantile(s.histogram, 0.99) },
});

const f = (x: number | undefined, d = 1) => (x !== undefined && Number.isFinite(x) ? x.toFixed(d) : '-');
const ratio = (a: number, b: number | undefined) => (b ? f(a / b, 2) : '-');

export function printResults(phases: readonly Phase[]): void {
  printTable('Programming N services from scratch (ms; waggle from the agent spawn)', [
    [
      'N',
      'etcd write s',
      'waggle healthz',
      'waggle first row',
      'waggle all rows',
      'iptables-legacy-restore',
      'nft -f',
      'waggle/iptables',
      'waggle/nft',
    ],
    ...phases.map((p) => [
      p.n,
      f(p.storeWrite.ms / 1000),
      f(p.waggle.healthyMs, 0),
      f(p.waggle.firstMs, 0),
      f(p.waggle.allMs, 0),
      f(p.kubeProxy.iptablesLegacyMs, 0),
      f(p.kubeProxy.nftMs, 0),
      ratio(p.waggle.allMs, p.kubeProxy.iptablesLegacyMs),
      ratio(p.waggle.allMs, p.kubeProxy.nftMs),
    ]),
  ]);
  for (const p of phases) {
    if (!p.add) continue;
    const rows: Array<Array<string | number>> = [['variant', 'samples', 'p50 ms', 'p99 ms', 'max ms']];
    const row = (name: string, xs: number[]) => {
      const s = summarize(xs);
      rows.push([name, s.n, f(s.p50, 2), f(s.p99, 2), f(s.max, 2)]);
    };
    row('waggle: etcd put → row in the map', p.add.waggleMap.mapMs);
    row('waggle: agent histogram (event → rows)', p.add.waggleMap.agentMs);
    row('kube-proxy nftables: nft -f of one service', p.add.kubeProxyNftMs);
    row('kube-proxy iptables: iptables-legacy-restore N+1', p.add.kubeProxyIptablesMs);
    printTable(`One more service at N = ${p.n}`, rows);
  }
  const changed = phases.filter((p) => p.change);
  if (changed.length)
    printTable('EndpointSlice change (one backend replaced) → map (ms)', [
      ['N', 'changes', 'map p50', 'map p99', 'agent p50', 'agent p99', 'histogram_quantile p99'],
      ...changed.map((p) => {
        const s = stats(p.change as Series);
        return [
          p.n,
          s.map.n,
          f(s.map.p50, 2),
          f(s.map.p99, 2),
          f(s.agent.p50, 2),
          f(s.agent.p99, 2),
          f(s.histogram.p99s * 1000, 1),
        ];
      }),
    ]);
  printTable('Memory (after programming, changes and adds)', [
    ['N', 'agent RSS MiB', 'map', 'max entries', 'memlock MiB'],
    ...phases.flatMap((p) =>
      Object.entries(p.memory.maps).map(([name, m], i) => [
        i === 0 ? p.n : '',
        i === 0 ? f(p.memory.agentRssKiB / 1024, 0) : '',
        name,
        m.maxEntries,
        f(m.memlockBytes / 2 ** 20, 1),
      ]),
    ),
  ]);
}

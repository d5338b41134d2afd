// CNI ADD → first successful packet, for waggle-cni against Debian's reference plugins (ptp +
// host-local, containernetworking/plugins) side by side in one run on one node namespace:
// 100 pods one by one and 50 at once, each timed from the ADD's exec to the first ping the pod
// gets answered by its gateway; plus the agent's memory per endpoint. Ratios: waggle / ptp.
//   node dist/bench/cni-add.js [--pods 100] [--burst 50]
import { readFileSync } from 'node:fs';
import { shAsync } from '../src/testing/exec.js';
import { type Pod, PodLab, UPSTREAM_CNI } from '../test/e2e/pod-lab.js';
import { callPlugin } from '../test/e2e/cni-runtime.js';
import { printTable, summarize, writeResult } from './lib/report.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const PODS = arg('pods', 100);
const BURST = arg('burst', 50);
const NODE = 'bench-node';

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** Pings the gateway from the pod until one answer comes (bounded: 3 s). */
async function firstPing(pod: Pod, gw: string): Promise<boolean> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const r = await shAsync('ip', ['netns', 'exec', pod.ns.name, 'ping', '-c', '1', '-W', '0.2', gw], 2000);
    if (r.code === 0) return true;
  }
  return false;
}

type Variant = 'waggle' | 'ptp';

async function attach(L: PodLab, v: Variant, pod: Pod): Promise<{ ms: number; ok: boolean }> {
  const t0 = performance.now();
  const config =
    v === 'waggle'
      ? L.netconf(NODE)
      : {
          cniVersion: '1.0.0',
          name: 'ptp-bench',
          type: 'ptp',
          ipMasq: false,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: '10.203.0.0/16' }]],
            dataDir: `${L.lab.runDir}/host-local`,
          },
        };
  const r = await callPlugin({
    path: v === 'waggle' ? `${process.cwd()}/bin/waggle-cni` : `${UPSTREAM_CNI}/ptp`,
    cniPath: `${process.cwd()}/bin:${UPSTREAM_CNI}`,
    command: 'ADD',
    att: pod.att,
    config,
    nodeNetns: L.nodes.get(NODE)?.node.ns.name as string,
  });
  if (r.code !== 0) throw new Error(`${v} ADD failed: ${r.stdout} ${r.stderr}`);
  const gw = (r.json as { ips: Array<{ gateway: string }> }).ips[0]?.gateway ?? '';
  const ok = await firstPing(pod, gw);
  return { ms: performance.now() - t0, ok };
}

async function round(L: PodLab, v: Variant, n: number, parallel: boolean) {
  const pods = Array.from({ length: n }, (_, i) => L.newPod(`${v}-${parallel ? 'b' : 's'}-${i}`));
  const t0 = performance.now();
  const results = parallel
    ? await Promise.all(pods.map((p) => attach(L, v, p)))
    : await (async () => {
        const out = [];
        for (const p of pods) out.push(await attach(L, v, p));
        return out;
      })();
  const wall = performance.now() - t0;
  return { pods, times: results.map((r) => r.ms), failed: results.filter((r) => !r.ok).length, wall };
}

async function main(): Promise<void> {
  const L = new PodLab();
  try {
    await L.start(26790 + (process.pid % 100));
    // Production timings for what runs beside the ADDs (tests sample maps every 100 ms).
    L.addNode(NODE, 14, '10.202.0.0/16', [
      '--map-sample-interval',
      '10s',
      '--agent-liveness-update-interval',
      '1s',
    ]);
    await L.startAgent(NODE);
    const agentPid = L.agents.get(NODE)?.pid as number;
    const rows: Array<Array<string | number>> = [
      ['variant', 'mode', 'pods', 'p50 ms', 'p99 ms', 'max ms', 'failed', 'pods/s'],
    ];
    const out: Record<string, unknown> = {};
    const rss0 = rssKiB(agentPid);
    let rssAfter = Number.NaN;
    for (const v of ['waggle', 'ptp'] as Variant[]) {
      for (const parallel of [false, true]) {
        const n = parallel ? BURST : PODS;
        const r = await round(L, v, n, parallel);
        if (v === 'waggle' && !parallel) rssAfter = rssKiB(agentPid);
        const s = summarize(r.times);
        const mode = parallel ? `${n} at once` : 'one by one';
        rows.push([
          v,
          mode,
          n,
          s.p50.toFixed(1),
          s.p99.toFixed(1),
          s.max.toFixed(1),
          r.failed,
          ((n / r.wall) * 1000).toFixed(1),
        ]);
        out[`${v}_${parallel ? 'burst' : 'serial'}`] = {
          ...s,
          failed: r.failed,
          wallMs: r.wall,
          podsPerSec: (n / r.wall) * 1000,
        };
        // Remove this round's pods (their netns; waggle's via DEL) so rounds do not pile up.
        for (const p of r.pods) {
          if (v === 'waggle') await L.del(NODE, p);
          p.ns.destroy();
        }
      }
    }
    const ratio = (k: string) => {
      const w = out[`waggle_${k}`] as { p50: number; p99: number };
      const p = out[`ptp_${k}`] as { p50: number; p99: number };
      return { p50: w.p50 / p.p50, p99: w.p99 / p.p99 };
    };
    const perEndpointKiB = (rssAfter - rss0) / PODS;
    printTable(`CNI ADD → first answered ping (node namespace, ${PODS} serial / ${BURST} at once)`, rows);
    const rs = ratio('serial');
    const rb = ratio('burst');
    process.stdout.write(
      `\nwaggle/ptp  one by one: p50 ${rs.p50.toFixed(2)}×, p99 ${rs.p99.toFixed(2)}×;  ${BURST} at once: p50 ${rb.p50.toFixed(2)}×, p99 ${rb.p99.toFixed(2)}×\n` +
        `agent RSS ${Math.round(rss0 / 1024)} MiB → ${Math.round(rssAfter / 1024)} MiB after ${PODS} endpoints: ${perEndpointKiB.toFixed(0)} KiB per endpoint\n`,
    );
    writeResult('cni-add', {
      ...out,
      ratios: { serial: rs, burst: rb },
      agentRssKiB: { before: rss0, after: rssAfter, perEndpoint: perEndpointKiB },
    });
  } finally {
    await L.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

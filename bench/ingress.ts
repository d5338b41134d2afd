// The Ingress's cost, measured from the lab's jumpbox with wrk: requests/s and latency p50/p99
// through basic-ingress (10.0.10.0:80: service LB → a node's HAProxy → an nginx pod) against
// straight to a LoadBalancer Service of the same nginx pods (service LB → pod), in one lab,
// interleaved per round (the order alternates), reported per round and as ingress/direct ratios.
// Keep-alive connections, as wrk opens them; every run must have 0 failed requests.
// Run as root: node dist/bench/ingress.js [--rounds N] [--duration S] [--connections N]
import { readFileSync } from 'node:fs';
import { parseWrk, type WrkResult } from '../src/testing/wrk.js';
import {
  applyText,
  CILIUM_DEFAULT,
  freshLab,
  inHost,
  resetLab,
  SEED_POLICY,
  SEED_POOL,
  sleep,
  timingFlags,
  until,
  waggle,
} from './lib/lab.js';
import { numberFlag, printTable, runBench, writeResult } from './lib/report.js';

const INGRESS_IP = '10.0.10.0';
const DIRECT_IP = '10.0.10.10';
const REPLICAS = 2;
const TARGETS = { ingress: `http://${INGRESS_IP}/`, direct: `http://${DIRECT_IP}/` } as const;
type Target = keyof typeof TARGETS;

const DIRECT_SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: nginx-lb
  namespace: default
  annotations:
    lbipam.cilium.io/ips: ${DIRECT_IP}
spec:
  type: LoadBalancer
  selector:
    app: nginx
  ports:
  - port: 80
    targetPort: http
`;

const seed = (f: string) => readFileSync(`examples/seed/${f}`, 'utf8');

function answers(url: string): true | undefined {
  const r = inHost('jumpbox', ['curl', '-s', '-m', '2', url], 5000);
  return r.code === 0 && r.stdout.includes('Welcome to nginx!') ? true : undefined;
}

function wrk(url: string, seconds: number, connections: number): WrkResult {
  const args = ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '2s', '--latency', url];
  const r = inHost('jumpbox', args, (seconds + 30) * 1000);
  if (r.code !== 0) throw new Error(`wrk ${url}: ${r.stderr.trim() || r.stdout.trim()}`);
  const res = parseWrk(r.stdout);
  if (res.failed > 0)
    throw new Error(`wrk ${url}: ${res.failed} of ${res.requests} requests failed: ${r.stdout}`);
  return res;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const fmt = (x: number, d = 2) => x.toFixed(d);

async function main() {
  const rounds = numberFlag('--rounds', 3);
  const seconds = numberFlag('--duration', 10);
  const connections = numberFlag('--connections', 16);
  if (rounds < 3) throw new Error('--rounds: at least 3 (the ratios are medians over rounds)');
  await freshLab(timingFlags(CILIUM_DEFAULT));
  try {
    applyText(`${SEED_POOL}\n---\n${SEED_POLICY}`);
    applyText(`${seed('nginx-deployment.yaml')}\n---\n${seed('nginx-service.yaml')}`);
    applyText(`${seed('basic-ingress.yaml')}\n---\n${DIRECT_SERVICE}`);
    const scaled = waggle(['scale', 'deployment', 'nginx', '--replicas', String(REPLICAS)]);
    if (scaled.code !== 0) throw new Error(`scale: ${scaled.stderr.trim()}`);
    for (const [name, url] of Object.entries(TARGETS))
      if (!(await until(90_000, () => answers(url), 300)))
        throw new Error(`${name} ${url}: no nginx page within 90 s`);
    const pods = waggle(['get', 'pods', '-l', 'app=nginx', '-o', 'wide']).stdout;
    process.stdout.write(`${pods}`);
    // A short warm-up of each path (ARP, conntrack, HAProxy's server connections).
    for (const url of Object.values(TARGETS)) wrk(url, 2, connections);
    const runs: Array<{ round: number; target: Target } & WrkResult> = [];
    for (let r = 1; r <= rounds; r++) {
      const order: Target[] = r % 2 === 1 ? ['ingress', 'direct'] : ['direct', 'ingress'];
      for (const target of order) {
        runs.push({ round: r, target, ...wrk(TARGETS[target], seconds, connections) });
        await sleep(500);
      }
    }
    const of = (t: Target) => runs.filter((x) => x.target === t);
    const summary = (t: Target) => ({
      requestsPerSec: median(of(t).map((x) => x.requestsPerSec)),
      p50Ms: median(of(t).map((x) => x.latencyMs.p50 ?? Number.NaN)),
      p99Ms: median(of(t).map((x) => x.latencyMs.p99 ?? Number.NaN)),
      requests: of(t).reduce((n, x) => n + x.requests, 0),
    });
    const ing = summary('ingress');
    const dir = summary('direct');
    const ratio = {
      requestsPerSec: ing.requestsPerSec / dir.requestsPerSec,
      p50: ing.p50Ms / dir.p50Ms,
      p99: ing.p99Ms / dir.p99Ms,
    };
    printTable(`wrk -t1 -c${connections} -d${seconds}s from the jumpbox, ${REPLICAS} nginx pods, per run`, [
      ['round', 'target', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'failed'],
      ...runs.map((x) => [
        x.round,
        `${x.target} (${x.target === 'ingress' ? INGRESS_IP : DIRECT_IP})`,
        x.requests,
        fmt(x.requestsPerSec, 0),
        fmt(x.latencyMs.p50 ?? Number.NaN),
        fmt(x.latencyMs.p99 ?? Number.NaN),
        x.failed,
      ]),
    ]);
    printTable(`medians over ${rounds} rounds`, [
      ['', 'req/s', 'p50 ms', 'p99 ms'],
      ['ingress', fmt(ing.requestsPerSec, 0), fmt(ing.p50Ms), fmt(ing.p99Ms)],
      ['direct', fmt(dir.requestsPerSec, 0), fmt(dir.p50Ms), fmt(dir.p99Ms)],
      ['ingress / direct', fmt(ratio.requestsPerSec), fmt(ratio.p50), fmt(ratio.p99)],
    ]);
    writeResult('ingress', {
      setup: { rounds, seconds, connections, threads: 1, replicas: REPLICAS, targets: TARGETS },
      runs,
      median: { ingress: ing, direct: dir },
      ratio,
    });
  } finally {
    await resetLab();
  }
}

runBench('ingress', main);

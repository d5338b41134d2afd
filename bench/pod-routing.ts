// Pod-to-pod across nodes against node-to-node (the physical limit here), and masqueraded
// against non-masqueraded pod traffic to a host outside the cluster, side by side in one run
// on the routing e2e's topology (two nodes on one L2 segment with --auto-direct-node-routes,
// a jumpbox). Per pair: request/response rate (sockperf ping-pong over TCP: 1 / mean RTT),
// connection rate (connect, 1 byte each way, close; a node client, the same for every pair),
// and throughput (iperf3). Each round runs every pair in legacy mode (kernel routing, iptables
// masquerading) and then in eBPF mode (--enable-host-legacy-routing=false, --enable-bpf-masquerade),
// the agents restarted between the two; medians over --rounds rounds reported.
//   node dist/bench/pod-routing.js [--rounds 3] [--seconds 3]
import { writeFileSync } from 'node:fs';
import { fetchJson } from '../src/agent/api-client.js';
import { sleep } from '../test/e2e/agent-lab.js';
import { type Pod, PodLab } from '../test/e2e/pod-lab.js';
import type { TestNetns } from '../src/testing/netns.js';
import { printTable, writeResult } from './lib/report.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 3);
const SECONDS = arg('seconds', 3);

interface Pair {
  name: string;
  client: TestNetns;
  server: TestNetns;
  serverIp: string;
}

async function rrPerSec(p: Pair): Promise<number> {
  const srv = p.server.execAsync(
    'timeout',
    [String(SECONDS + 3), 'sockperf', 'sr', '--tcp', '-i', p.serverIp, '-p', '11111'],
    30_000,
  );
  await sleep(400);
  const r = await p.client.execAsync(
    'sockperf',
    ['pp', '--tcp', '-i', p.serverIp, '-p', '11111', '-t', String(SECONDS)],
    30_000,
  );
  await srv;
  const m = /avg-latency=([\d.]+)/.exec(r.stdout) ?? /avg-rtt=([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`${p.name}: sockperf gave no latency:\n${r.stdout}${r.stderr}`);
  // sockperf reports half the round trip as avg-latency (usec).
  return 1e6 / (2 * Number(m[1]));
}

const CONNECT_CLIENT = `
const net = require('net'); const [ip, secs] = process.argv.slice(1); const end = Date.now() + secs * 1000;
let n = 0; const one = () => { if (Date.now() > end) { console.log(n / secs); process.exit(0); }
  const s = net.connect(12222, ip, () => s.write('x')); s.on('data', () => { n++; s.destroy(); one(); });
  s.on('error', () => one()); }; one();`;
const CONNECT_SERVER = `require('net').createServer(s => s.on('data', () => s.end('y'))).listen(12222, process.argv[1]); setTimeout(() => process.exit(0), Number(process.argv[2]) * 1000);`;

async function connPerSec(p: Pair): Promise<number> {
  const srv = p.server.execAsync('node', ['-e', CONNECT_SERVER, p.serverIp, String(SECONDS + 3)], 30_000);
  await sleep(500);
  const r = await p.client.execAsync('node', ['-e', CONNECT_CLIENT, p.serverIp, String(SECONDS)], 30_000);
  await srv;
  const v = Number(r.stdout.trim());
  if (!Number.isFinite(v)) throw new Error(`${p.name}: connect client: ${r.stdout}${r.stderr}`);
  return v;
}

async function gbps(p: Pair): Promise<number> {
  const srv = p.server.execAsync('iperf3', ['-s', '-1', '-B', p.serverIp, '-p', '5301'], 30_000);
  await sleep(400);
  const r = await p.client.execAsync(
    'iperf3',
    ['-c', p.serverIp, '-p', '5301', '-t', String(SECONDS), '-J'],
    30_000,
  );
  await srv;
  const bps = (JSON.parse(r.stdout) as { end?: { sum_received?: { bits_per_second?: number } } }).end
    ?.sum_received?.bits_per_second;
  if (!bps) throw new Error(`${p.name}: iperf3: ${r.stdout.slice(0, 300)}${r.stderr}`);
  return bps / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

type Mode = 'legacy' | 'ebpf';
/** The agent flags of each mode: legacy host routing + iptables masquerading, or both in eBPF. */
const MODE_FLAGS: Record<Mode, string[]> = {
  legacy: [],
  ebpf: ['--enable-host-legacy-routing=false', '--enable-bpf-masquerade'],
};
const MODE_NAME: Record<Mode, { routing: string; masq: string }> = {
  legacy: { routing: 'legacy', masq: 'iptables' },
  ebpf: { routing: 'eBPF host routing', masq: 'eBPF' },
};

interface Series {
  rr: number[];
  conn: number[];
  gbps: number[];
}

async function main(): Promise<void> {
  const L = new PodLab();
  const masqConfig = `/tmp/waggle-bench-masq-${process.pid}`;
  writeFileSync(masqConfig, 'nonMasqueradeCIDRs: []\n');
  const flags = [
    '--enable-endpoint-routes',
    '--auto-direct-node-routes',
    '--ipv4-native-routing-cidr',
    '10.200.0.0/16',
    '--enable-ip-masq-agent',
    '--ip-masq-agent-config-path',
    masqConfig,
    '--map-sample-interval',
    '10s',
  ];
  const nodes = ['bench-a', 'bench-b'];
  /** Restarts both agents with `mode`'s flags (pods, routes and pinned maps stay). */
  const enter = async (mode: Mode) => {
    for (const n of nodes) {
      await L.killAgent(n, 'SIGTERM');
      const node = L.nodes.get(n);
      if (node) node.extra = [...flags, ...MODE_FLAGS[mode]];
      await L.startAgent(n);
    }
    const status = await fetchJson<{ datapath: { hostRouting?: { mode: string } } }>(
      L.socket('bench-a'),
      '/v1/status',
    );
    const want = mode === 'ebpf' ? 'BPF' : 'Legacy';
    if (status.datapath.hostRouting?.mode !== want)
      throw new Error(`agent bench-a: host routing ${status.datapath.hostRouting?.mode}, want ${want}`);
  };
  try {
    await L.start(29790 + (process.pid % 100));
    const a = L.addNode('bench-a', 31, '10.200.1.0/24', flags);
    const b = L.addNode('bench-b', 32, '10.200.2.0/24', flags);
    const jb = L.lab.addHost('bench-jb', 30);
    L.lab.nodes.push(jb);
    await L.startAgent('bench-a');
    await L.startAgent('bench-b');
    const pa: Pod = L.newPod('pa');
    const pb: Pod = L.newPod('pb');
    await L.add('bench-a', pa);
    await L.add('bench-b', pb);
    // The jumpbox routes the pod network back via node a, for the non-masqueraded variant.
    jb.ns.ip('route', 'add', '10.200.0.0/16', 'via', '10.98.0.31');
    for (let i = 0; i < 50 && !/10\.200\.2\.0\/24/.test(a.ns.exec('ip', ['route']).stdout); i++)
      await sleep(100);
    const pairs = (mode: Mode): Array<Pair & { masq?: boolean }> => [
      { name: `node → node (${mode})`, client: a.ns, server: b.ns, serverIp: '10.98.0.32' },
      { name: `pod → pod, ${MODE_NAME[mode].routing}`, client: pa.ns, server: pb.ns, serverIp: L.podIp(pb) },
      {
        name: `pod → jumpbox, ${MODE_NAME[mode].masq} masquerade`,
        client: pa.ns,
        server: jb.ns,
        serverIp: '10.98.0.30',
        masq: true,
      },
      {
        name: `pod → jumpbox, not masqueraded (${mode})`,
        client: pa.ns,
        server: jb.ns,
        serverIp: '10.98.0.30',
        masq: false,
      },
    ];
    const res = new Map<string, Series>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['legacy', 'ebpf'] as const) {
        await enter(mode);
        for (const p of pairs(mode)) {
          const masq = p.masq === false ? 'nonMasqueradeCIDRs: [10.98.0.0/24]\n' : 'nonMasqueradeCIDRs: []\n';
          writeFileSync(masqConfig, masq);
          await sleep(2500); // the agent re-reads the file every 2 s
          const r = res.get(p.name) ?? { rr: [], conn: [], gbps: [] };
          res.set(p.name, r);
          r.rr.push(await rrPerSec(p));
          r.conn.push(await connPerSec(p));
          r.gbps.push(await gbps(p));
        }
      }
    }
    // node → node does not depend on the mode: one baseline from both phases' samples.
    const pool = (k: keyof Series) => [
      ...(res.get('node → node (legacy)')?.[k] ?? []),
      ...(res.get('node → node (ebpf)')?.[k] ?? []),
    ];
    const base = { rr: median(pool('rr')), conn: median(pool('conn')), gbps: median(pool('gbps')) };
    const rows: Array<Array<string | number>> = [
      ['pair', 'req/resp per s', 'ratio', 'conn/s', 'ratio', 'Gbit/s', 'ratio'],
    ];
    const out: Record<string, unknown> = { 'node → node baseline': base };
    for (const [name, r] of res) {
      // A masqueraded pair's conn/s is compared with its mode's non-masqueraded pair.
      const mode = name.includes('iptables')
        ? 'legacy'
        : name.includes('eBPF masquerade')
          ? 'ebpf'
          : undefined;
      const connRef = mode
        ? median(res.get(`pod → jumpbox, not masqueraded (${mode})`)?.conn ?? [])
        : base.conn;
      const m = { rr: median(r.rr), conn: median(r.conn), gbps: median(r.gbps) };
      rows.push([
        name,
        m.rr.toFixed(0),
        (m.rr / base.rr).toFixed(3),
        m.conn.toFixed(0),
        (m.conn / connRef).toFixed(3),
        m.gbps.toFixed(2),
        (m.gbps / base.gbps).toFixed(3),
      ]);
      out[name] = { ...r, median: m };
    }
    const ebpf = res.get('pod → pod, eBPF host routing') as Series;
    const legacy = res.get('pod → pod, legacy') as Series;
    const bpfMasq = res.get('pod → jumpbox, eBPF masquerade') as Series;
    const iptMasq = res.get('pod → jumpbox, iptables masquerade') as Series;
    rows.push([
      'eBPF / legacy (pod → pod; masquerade conn/s)',
      '',
      (median(ebpf.rr) / median(legacy.rr)).toFixed(3),
      '',
      (median(bpfMasq.conn) / median(iptMasq.conn)).toFixed(3),
      '',
      (median(ebpf.gbps) / median(legacy.gbps)).toFixed(3),
    ]);
    printTable(
      `Pod routing, legacy vs eBPF, ${ROUNDS} rounds × ${SECONDS} s, medians; ratios to node → node (both phases pooled); conn/s of a masqueraded pair: to its mode's non-masqueraded pair`,
      rows,
    );
    writeResult('pod-routing', { rounds: ROUNDS, seconds: SECONDS, results: out });
  } finally {
    await L.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

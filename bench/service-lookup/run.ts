// Service lookup scaling: waggle's socket LB (waggle-sock.ts) and per-packet LB (waggle-tc.ts)
// against kube-proxy's iptables (legacy and nft backends) and nftables rule shapes, and `base`
// (the backend's own IP, no service), side by side in one run. Each variant has its own client ⇄
// node ⇄ server namespaces (topology.ts); at each N the rules (rules.ts) or the waggle maps
// (waggle-rows.ts) are programmed from scratch and timed, then the variants run interleaved over
// --rounds rounds, the node's conntrack (and waggle-tc's) flushed before each run: connect()
// latency and connections/s (client crr), request/response rate on one connection (client rr).
// Medians of rounds, as ratios to base at the same N. --variants picks some (base always runs)
// and --n some N, so a long run can be split into short ones; such a run writes
// service-lookup-n<N-...>[-<variants>].json. --cpus split puts the server on another CPU (topology.ts: why not).
//   node dist/bench/service-lookup/run.js [--n 0,1000,10000,30000] [--rounds 5] [--variants a,b]
//        [--crr-seconds 0.4] [--rr-seconds 0.2] [--ipt-nft-max 10000] [--cpus same|split]
//        [--load-timeout-s 900] [--nft-batch 0]
import { existsSync } from 'node:fs';
import { BUSY_NOTE, busyFraction, readCpu } from './cpu-busy.js';
import { numberFlag, printTable, runBench, writeResult } from '../lib/report.js';
import { benchServices, iptablesRestore, nftRulesetBatches, type BenchService } from './rules.js';
import { medianSample, parseList, ratio, roundOrder, type Sample } from './stats.js';
import { BACKENDS, CLIENT_CPU, serverCpu, Topology } from './topology.js';
import { WaggleSock } from './waggle-sock.js';
import { WaggleTc } from './waggle-tc.js';

const ALL_VARIANTS = [
  'base',
  'iptables-legacy',
  'iptables-nft',
  'nftables',
  'waggle-sock',
  'waggle-tc',
] as const;
type Variant = (typeof ALL_VARIANTS)[number];
const vIdx = process.argv.indexOf('--variants');
// base always runs: every ratio is to it at the same N.
const VARIANTS: readonly Variant[] =
  vIdx >= 0
    ? ['base', ...parseVariants(process.argv[vIdx + 1] ?? '').filter((v) => v !== 'base')]
    : ALL_VARIANTS;
type Placement = 'first' | 'middle' | 'last';
const CLIENT = 'build/bench/client';
const SERVER = 'build/bench/server';

const nIdx = process.argv.indexOf('--n');
const NS = nIdx >= 0 ? parseList('--n', process.argv[nIdx + 1] ?? '') : [0, 1000, 10000, 30000];
const ROUNDS = numberFlag('--rounds', 5);
const CRR_S = numberFlag('--crr-seconds', 0.4);
const RR_S = numberFlag('--rr-seconds', 0.2);
// iptables-nft-restore of 30k services alone takes longer than the whole default run may
// (over 4 minutes here; 35 s at 10k), so by default that variant stops at 10k.
const IPT_NFT_MAX = numberFlag('--ipt-nft-max', 10000);
// A bound on one iptables-restore / nft -f, so a split run stays within its time slot.
const LOAD_TIMEOUT_MS = numberFlag('--load-timeout-s', 900) * 1000;
// Services per nft -f transaction (0: all in one, as kube-proxy's full sync; rules.ts).
const NFT_BATCH = numberFlag('--nft-batch', 0);
const cIdx = process.argv.indexOf('--cpus');
const CPUS = cIdx >= 0 ? process.argv[cIdx + 1] : 'same';
if (CPUS !== 'same' && CPUS !== 'split') throw new Error(`--cpus "${CPUS}": want same or split`);
const SERVER_CPU = serverCpu(CPUS);
// A run of some N or variants writes its own file, so a split run keeps every part.
const RESULT_NAME =
  nIdx >= 0 || vIdx >= 0
    ? `service-lookup-n${NS.join('-')}${vIdx >= 0 ? `-${VARIANTS.slice(1).join('-')}` : ''}`
    : 'service-lookup';
const OTHER_CPU = CLIENT_CPU === '0' ? '1' : '0';

function parseVariants(v: string): Variant[] {
  const xs = v.split(',').map((s) => s.trim());
  const bad = xs.filter((x) => !(ALL_VARIANTS as readonly string[]).includes(x));
  if (bad.length || xs.length === 0)
    throw new Error(`--variants "${v}": unknown ${bad.join(', ')}; want some of ${ALL_VARIANTS.join(',')}`);
  return xs as Variant[];
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Programs `services` into variant v's node (or waggle's maps) from scratch; milliseconds. */
function program(
  v: Variant,
  t: Topology,
  sock: WaggleSock | undefined,
  tc: WaggleTc | undefined,
  services: BenchService[],
  ipt: string,
  nft: string[],
) {
  if (v === 'base') return 0;
  if (v === 'waggle-sock') return (sock as WaggleSock).program(services);
  if (v === 'waggle-tc') return (tc as WaggleTc).program(services);
  if (v === 'iptables-legacy') {
    for (const tbl of ['nat', 'filter']) {
      t.exec('iptables-legacy', ['-t', tbl, '-F']);
      t.exec('iptables-legacy', ['-t', tbl, '-X']);
    }
    return t.load('iptables-legacy-restore', ['--noflush'], ipt, LOAD_TIMEOUT_MS);
  }
  t.exec('nft', ['flush', 'ruleset']);
  if (v === 'iptables-nft') return t.load('iptables-nft-restore', ['--noflush'], ipt, LOAD_TIMEOUT_MS);
  return nft.reduce((ms, part) => ms + t.load('nft', ['-f', '-'], part, LOAD_TIMEOUT_MS), 0);
}

async function measure(
  t: Topology,
  ip: string,
  port: string,
  cgroup: string | undefined,
  tc: WaggleTc | undefined,
): Promise<{ s: Sample; busy: number }> {
  t.flushConntrack();
  tc?.flushConntrack();
  // Read after the flushes, which are the bench's own work.
  const before = CPUS === 'same' ? readCpu(OTHER_CPU) : undefined;
  const crr = JSON.parse(await t.runClient(CLIENT, [ip, port, 'crr', String(CRR_S)], cgroup));
  const rr = JSON.parse(await t.runClient(CLIENT, [ip, port, 'rr', String(RR_S)], cgroup));
  if (crr.errors || rr.errors || !crr.n || !rr.n)
    throw new Error(
      `${t.variant} → ${ip}: client errors (crr ${JSON.stringify(crr)}, rr ${JSON.stringify(rr)})`,
    );
  const busy = before ? busyFraction(before, readCpu(OTHER_CPU)) : Number.NaN;
  const s = { connectP50us: crr.p50us, connectP99us: crr.p99us, connPerSec: crr.perSec, rrPerSec: rr.perSec };
  return { s, busy };
}

/**
 * waggle-tc's proof of work before it is measured: a short connect/close run to each measured
 * frontend completes (the node has no route to 10.96/12, so only a translated SYN reaches a
 * backend), waggle's conntrack holds the flows' entries, and nothing was dropped.
 */
async function checkTranslated(
  t: Topology,
  tc: WaggleTc,
  measured: Record<Placement, { vip: string }>,
): Promise<void> {
  for (const p of ['first', 'middle', 'last'] as const) {
    tc.flushConntrack();
    const r = JSON.parse(await t.runClient(CLIENT, [measured[p].vip, '80', 'crr', '0.02']));
    const ct = tc.conntrackCount();
    const drops = tc.drops();
    if (!r.n || r.errors || ct === 0 || Object.keys(drops).length)
      throw new Error(
        `waggle-tc: ${measured[p].vip}:80 not served through from_container: client ${JSON.stringify(r)}, ` +
          `${ct} waggle conntrack entries, drops ${JSON.stringify(drops)}`,
      );
  }
  process.stdout.write('waggle-tc: measured frontends answer through the per-packet LB\n');
}

async function main(): Promise<void> {
  for (const bin of [CLIENT, SERVER])
    if (!existsSync(bin)) throw new Error(`${bin}: missing (run make build)`);
  // Without it the nodes' conntrack tables would not be flushed between runs.
  if (!['/usr/sbin/conntrack', '/sbin/conntrack', '/usr/bin/conntrack'].some((p) => existsSync(p)))
    throw new Error('conntrack: not installed (apt-get install conntrack; make deps does it)');
  const topo = new Map<Variant, Topology>();
  let sock: WaggleSock | undefined;
  let tc: WaggleTc | undefined;
  const results: Record<string, unknown>[] = [];
  const control: Record<string, Record<string, number>> = {};
  const save = (complete: boolean) =>
    writeResult(RESULT_NAME, {
      command: `node dist/bench/service-lookup/run.js ${process.argv.slice(2).join(' ')}`.trim(),
      complete,
      settings: {
        ns: NS,
        variants: VARIANTS,
        iptNftMax: IPT_NFT_MAX,
        rounds: ROUNDS,
        crrSeconds: CRR_S,
        rrSeconds: RR_S,
        endpointsPerService: 2,
        otherCpuBusyNote: BUSY_NOTE,
        nftBatch: NFT_BATCH,
        cpus: { mode: CPUS, client: Number(CLIENT_CPU), server: Number(SERVER_CPU) },
      },
      results,
      controlPlaneMs: control,
    });
  try {
    for (const v of VARIANTS) {
      const t = new Topology(v);
      topo.set(v, t);
      await t.startServer(SERVER, 3600, SERVER_CPU);
    }
    if (VARIANTS.includes('waggle-sock')) sock = new WaggleSock();
    if (VARIANTS.includes('waggle-tc')) tc = new WaggleTc(topo.get('waggle-tc') as Topology);
    for (const n of NS) {
      const { services, measured } = benchServices(n, BACKENDS);
      const ipt = iptablesRestore(services);
      const nft = nftRulesetBatches(services, NFT_BATCH);
      control[n] = {};
      const active = VARIANTS.filter((v) => v !== 'iptables-nft' || n <= IPT_NFT_MAX);
      for (const v of active) {
        if (v === 'base') continue;
        const ms = program(v, topo.get(v) as Topology, sock, tc, services, ipt, nft);
        (control[n] as Record<string, number>)[v] = ms;
        process.stdout.write(
          `N=${n}: ${v} programmed ${services.length} services in ${f(ms, 0)} ms${v === 'nftables' && nft.length > 1 ? ` (${nft.length} nft -f transactions)` : ''}\n`,
        );
        if (v === 'waggle-tc') await checkTranslated(topo.get(v) as Topology, tc as WaggleTc, measured);
      }
      const places: Placement[] = n === 0 ? ['first'] : ['first', 'middle', 'last'];
      const combos: Array<{ v: Variant; p: Placement | '-' }> = [{ v: 'base', p: '-' }];
      for (const v of active) if (v !== 'base') for (const p of places) combos.push({ v, p });
      const samples = new Map<string, Sample[]>();
      const key = (c: { v: Variant; p: string }) => `${c.v}/${c.p}`;
      const conntrack: Record<string, number> = {};
      const busyOf = new Map<string, number[]>();
      let busySamples = 0;
      for (let r = 0; r < ROUNDS; r++)
        for (const c of roundOrder(combos, r)) {
          const t = topo.get(c.v) as Topology;
          const ip = c.p === '-' ? (BACKENDS[0]?.ip as string) : measured[c.p].vip;
          const { s, busy } = await measure(
            t,
            ip,
            c.p === '-' ? '8080' : '80',
            c.v === 'waggle-sock' ? sock?.cgroup : undefined,
            c.v === 'waggle-tc' ? tc : undefined,
          );
          conntrack[c.v] = c.v === 'waggle-tc' ? (tc as WaggleTc).conntrackCount() : t.conntrackCount();
          samples.set(key(c), [...(samples.get(key(c)) ?? []), s]);
          busyOf.set(key(c), [...(busyOf.get(key(c)) ?? []), Math.round(busy * 100) / 100]);
          if (busy > BUSY_NOTE) busySamples++;
        }
      if (busySamples)
        process.stdout.write(
          `N=${n}: ${busySamples} samples ran while the other CPU was > ${BUSY_NOTE * 100}% busy\n`,
        );
      const med = new Map([...samples].map(([k, xs]) => [k, medianSample(xs)]));
      const base = med.get('base/-') as Sample;
      const rows: Array<Array<string | number>> = [
        [
          'variant',
          'service at',
          'connect p50 µs',
          'p99 µs',
          'conn/s',
          'req/resp/s',
          '× base: p50',
          'p99',
          'conn/s',
          'rr',
        ],
      ];
      for (const c of combos) {
        const m = med.get(key(c)) as Sample;
        const q = ratio(m, base);
        rows.push([
          c.v,
          c.p,
          f(m.connectP50us, 1),
          f(m.connectP99us, 1),
          f(m.connPerSec, 0),
          f(m.rrPerSec, 0),
          f(q.connectP50us),
          f(q.connectP99us),
          f(q.connPerSec),
          f(q.rrPerSec),
        ]);
      }
      const direct: Record<string, Sample> = {};
      for (const p of places)
        for (const other of ['nftables', 'iptables-legacy'] as const) {
          if (!active.includes('waggle-sock') || !active.includes(other)) continue;
          const q = ratio(med.get(`waggle-sock/${p}`) as Sample, med.get(`${other}/${p}`) as Sample);
          direct[`waggle-sock / ${other} (${p})`] = q;
          rows.push([
            `waggle-sock / ${other}`,
            p,
            '',
            '',
            '',
            '',
            f(q.connectP50us),
            f(q.connectP99us),
            f(q.connPerSec),
            f(q.rrPerSec),
          ]);
        }
      printTable(
        `N = ${n} other services (+ ${n === 0 ? 1 : 3} measured) × 2 endpoints; medians of ${ROUNDS} rounds (crr ${CRR_S} s, rr ${RR_S} s); ratios: latency < 1 and rates > 1 are better`,
        rows,
      );
      results.push({
        n,
        services: services.length,
        medians: Object.fromEntries(med),
        ratiosToBase: Object.fromEntries([...med].map(([k, m]) => [k, ratio(m, base)])),
        direct,
        samples: Object.fromEntries(samples),
        otherCpuBusy: Object.fromEntries(busyOf),
        samplesWithOtherCpuBusy: busySamples,
        conntrackAfterLastRun: conntrack,
      });
      // After every N, so a later N that fails or is stopped leaves the finished ones on disk.
      save(false);
    }
    const cp: Array<Array<string | number>> = [
      [
        'N',
        'services',
        'waggle-sock maps ms',
        'waggle-tc maps ms',
        'iptables-legacy-restore ms',
        'iptables-nft-restore ms',
        'nft -f ms',
      ],
    ];
    for (const n of NS) {
      const c = control[n] ?? {};
      cp.push([
        n,
        n === 0 ? 1 : n + 3,
        f(c['waggle-sock'] ?? Number.NaN, 1),
        f(c['waggle-tc'] ?? Number.NaN, 1),
        f(c['iptables-legacy'] ?? Number.NaN, 1),
        f(c['iptables-nft'] ?? Number.NaN, 1),
        f(c.nftables ?? Number.NaN, 1),
      ]);
    }
    printTable(
      'Control plane: programming every service from scratch (waggle: rows built + reconciler writes)',
      cp,
    );
    save(true);
  } finally {
    tc?.destroy();
    sock?.destroy();
    for (const t of topo.values()) t.destroy();
  }
}

runBench('service-lookup', main);

// The L2 announcement datapath, measured two ways in one run:
//  1. ns per packet inside the kernel, BPF_PROG_TEST_RUN with repeat ≥ 1,000,000: an answered
//     request, a responder-map miss, a non-ARP frame;
//  2. ARP round-trip time seen by arping across a veth pair: waggle's tc responder vs the
//     kernel's own proxy_arp answering the same kind of request, interleaved round by round.
// Prints a table and writes bench/results/datapath.json. Run as root: node dist/bench/datapath.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BpfObject, type BpfProgram, monotonicNs, skbContext, TcAct } from '../src/bpf/index.js';
import { devicesCodec } from '../src/datapath/maps/devices.js';
import { l2ResponderV4Codec } from '../src/datapath/maps/l2-responder.js';
import { RuntimeConfigIndex, runtimeConfigCodec } from '../src/datapath/maps/runtime-config.js';
import { TypedMap } from '../src/bpf/typed-map.js';
import { arping } from '../src/datapath/testing/arping.js';
import { arpFrame, BROADCAST, ipv4Frame } from '../src/datapath/testing/frames.js';
import { createResponderLab, LAB_VIP } from '../src/datapath/testing/responder-lab.js';
import { errorMessage } from '../src/lib/errors.js';

const REPEAT = 1_000_000;
const ROUNDS = 5;
const ARP_ROUNDS = 10;
const ARP_PER_ROUND = 10;
const KERNEL_TARGET = '10.0.10.200'; // answered by proxy_arp: routed via another device on the node
const DEVICE_MAC = '02:00:00:00:0a:01';
const REQUESTER = { ethSrc: '02:00:00:00:0b:02', sha: '02:00:00:00:0b:02', sip: '10.0.10.100' };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};

/** Part 1: per-packet cost in the kernel. One object holds from_netdev's logic and the restore wrappers. */
function testRunCosts() {
  const obj = BpfObject.open('build/bpf/tests/bench_restore.o');
  try {
    obj.load();
    TypedMap.fromObject(obj, devicesCodec).set(1, { mac: DEVICE_MAC });
    const responder = TypedMap.fromObject(obj, l2ResponderV4Codec);
    responder.set({ ip: LAB_VIP, ifindex: 2 }, { responsesSent: 0n });
    const config = TypedMap.fromObject(obj, runtimeConfigCodec);
    const ctx = skbContext({ ingressIfindex: 2 });
    const request = arpFrame({ ethDst: BROADCAST, ...REQUESTER, tip: LAB_VIP, length: 60 });
    const miss = arpFrame({ ethDst: BROADCAST, ...REQUESTER, tip: '10.0.10.7', length: 60 });
    const nonArp = ipv4Frame(DEVICE_MAC, REQUESTER.ethSrc);
    const answer = obj.program('answer_and_restore');
    const restore = obj.program('restore_only');
    const direct = obj.program('netdev_only');
    const cases: Array<{ name: string; prog: BpfProgram; frame: Buffer; verdict: number }> = [
      { name: 'answered request + restore', prog: answer, frame: request, verdict: TcAct.REDIRECT },
      { name: 'restore only (subtracted)', prog: restore, frame: request, verdict: TcAct.OK },
      { name: 'map miss + restore', prog: answer, frame: miss, verdict: TcAct.OK },
      { name: 'non-ARP frame + restore', prog: answer, frame: nonArp, verdict: TcAct.OK },
      { name: 'map miss, direct', prog: direct, frame: miss, verdict: TcAct.OK },
      { name: 'non-ARP frame, direct', prog: direct, frame: nonArp, verdict: TcAct.OK },
    ];
    const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        config.set(RuntimeConfigIndex.AgentLiveness, monotonicNs());
        const res = c.prog.testRun({ data: c.frame, ctx, repeat: REPEAT });
        if (res.retval !== c.verdict) throw new Error(`${c.name}: verdict ${res.retval}, want ${c.verdict}`);
        samples.get(c.name)?.push(res.durationNs);
      }
    }
    // Every repetition of the answered case really answered: the counter saw all of them.
    const sent = responder.get({ ip: LAB_VIP, ifindex: 2 })?.responsesSent ?? 0n;
    if (sent !== BigInt(REPEAT * ROUNDS)) throw new Error(`responses_sent ${sent}, want ${REPEAT * ROUNDS}`);
    const med = (name: string) => median(samples.get(name) ?? []);
    const base = med('restore only (subtracted)');
    return {
      repeat: REPEAT,
      rounds: ROUNDS,
      responsesSentChecked: Number(sent),
      rawMedianNs: Object.fromEntries(cases.map((c) => [c.name, med(c.name)])),
      // Frames left unchanged are measured directly; the answered one only by subtraction.
      nsPerPacket: {
        answeredRequest: med('answered request + restore') - base,
        mapMiss: med('map miss, direct'),
        nonArp: med('non-ARP frame, direct'),
      },
    };
  } finally {
    obj.close();
  }
}

/** Part 2: arping RTT, waggle's responder vs the kernel's proxy_arp, on one veth pair. */
async function arpingRtts() {
  const lab = createResponderLab({ maxLivenessNs: 15_000_000_000n });
  const ticker = setInterval(() => lab.touchLiveness(), 1000);
  try {
    lab.touchLiveness();
    lab.dp.responder.set({ ip: LAB_VIP, ifindex: lab.nodeIfindex }, { responsesSent: 0n });
    // The kernel proxies ARP (when forwarding) for an address routed out of another device, here
    // a veth pair local to the node namespace, with proxy_delay 0 so it answers at once.
    lab.node.ip('link', 'add', 'wbx0', 'type', 'veth', 'peer', 'name', 'wbx1');
    lab.node.ip('link', 'set', 'wbx0', 'up');
    lab.node.ip('link', 'set', 'wbx1', 'up');
    lab.node.ip('route', 'add', `${KERNEL_TARGET}/32`, 'dev', 'wbx0');
    lab.node.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    lab.node.exec('sysctl', ['-q', '-w', `net.ipv4.conf.${lab.nodeDev}.proxy_arp=1`]);
    lab.node.exec('sysctl', ['-q', '-w', `net.ipv4.neigh.${lab.nodeDev}.proxy_delay=0`]);
    const targets = [
      { name: 'waggle tc responder', ip: LAB_VIP },
      { name: 'kernel proxy_arp', ip: KERNEL_TARGET },
    ];
    const rtts = new Map(targets.map((t) => [t.name, [] as number[]]));
    for (let round = 0; round < ARP_ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const res = await arping(lab.peer, lab.peerDev, t.ip, {
          count: ARP_PER_ROUND,
          intervalS: 0.02,
          deadlineS: 5,
        });
        for (const r of res.replies) {
          if (r.mac !== lab.nodeMac) throw new Error(`${t.name}: reply from ${r.mac}, want ${lab.nodeMac}`);
        }
        if (res.replies.length < ARP_PER_ROUND)
          throw new Error(`${t.name}: ${res.replies.length} replies\n${res.output}`);
        rtts.get(t.name)?.push(...res.replies.map((r) => r.rttUs));
      }
      await sleep(10);
    }
    const sent = lab.dp.responder.get({ ip: LAB_VIP, ifindex: lab.nodeIfindex })?.responsesSent ?? 0n;
    const summary = Object.fromEntries(
      targets.map((t) => {
        const xs = rtts.get(t.name) ?? [];
        return [t.name, { samples: xs.length, medianUs: median(xs), p90Us: pct(xs, 0.9) }];
      }),
    );
    return { summary, waggleResponsesSent: Number(sent) };
  } finally {
    clearInterval(ticker);
    lab.destroy();
  }
}

async function main() {
  const run = testRunCosts();
  const rtt = await arpingRtts();
  const waggle = rtt.summary['waggle tc responder'];
  const kernel = rtt.summary['kernel proxy_arp'];
  const ratio = waggle && kernel ? kernel.medianUs / waggle.medianUs : Number.NaN;

  const rows: Array<[string, string]> = [
    ['answered request (ns/packet, raw − restore)', run.nsPerPacket.answeredRequest.toFixed(1)],
    ['map miss (ns/packet)', run.nsPerPacket.mapMiss.toFixed(1)],
    ['non-ARP frame (ns/packet)', run.nsPerPacket.nonArp.toFixed(1)],
    ...Object.entries(run.rawMedianNs).map(([k, v]): [string, string] => [`  raw: ${k} (ns)`, String(v)]),
    ['arping RTT waggle, median / p90 (µs)', `${waggle?.medianUs.toFixed(1)} / ${waggle?.p90Us.toFixed(1)}`],
    [
      'arping RTT proxy_arp, median / p90 (µs)',
      `${kernel?.medianUs.toFixed(1)} / ${kernel?.p90Us.toFixed(1)}`,
    ],
    ['proxy_arp median / waggle median', `${ratio.toFixed(2)}×`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(
    `datapath benchmark (Linux ${release()}, ${cpus().length} CPUs, repeat ${REPEAT} × ${ROUNDS} rounds, medians)\n`,
  );
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);

  mkdirSync('bench/results', { recursive: true });
  const out = {
    bench: 'datapath',
    date: new Date().toISOString(),
    kernel: release(),
    cpus: cpus().length,
    command: 'node dist/bench/datapath.js',
    testRun: run,
    arping: { ...rtt, rounds: ARP_ROUNDS, perRound: ARP_PER_ROUND, kernelOverWaggleMedian: ratio },
  };
  writeFileSync('bench/results/datapath.json', `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write('wrote bench/results/datapath.json\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench datapath: ${errorMessage(err)}\n`);
  process.exit(1);
});

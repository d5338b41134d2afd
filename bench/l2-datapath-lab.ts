// The L2 datapath seen from the lab's jumpbox (bench/datapath.ts measures the same program in a
// bare veth pair and per packet with BPF_PROG_TEST_RUN; this one runs the real agent and lab):
//  1. ARP round trip: waggle's responder on the VIP's holder vs the kernel's proxy_arp on the same
//     node and interface (proxy_delay 0, for an address routed out of eth0), interleaved per round;
//  2. ARP flood: N who-has requests for the VIP sent from the jumpbox as fast as one AF_PACKET
//     socket can, then the holder's responses_sent delta (answered fraction), what reached the
//     holder's eth1, what came back, and the holder agent's CPU time during the flood.
// Run as root: node dist/bench/l2-datapath-lab.js [--flood N] [--rounds N]
import { fetchStatus } from '../src/agent/api-client.js';
import { PacketSocket, withNetns } from '../src/bpf/index.js';
import { arpFrame, BROADCAST } from '../src/datapath/testing/frames.js';
import { parseArping } from '../src/datapath/testing/arping.js';
import { agentSocket } from '../src/lab/paths.js';
import {
  CILIUM_DEFAULT,
  componentPid,
  cpuMsOf,
  freshLab,
  inHost,
  labStore,
  macOf,
  resetLab,
  sleep,
  timingFlags,
} from './lib/lab.js';
import { numberFlag, percentile, printTable, runBench, writeResult } from './lib/report.js';
import { seedVip } from './lib/scenario.js';

const KERNEL_IP = '10.0.10.77';
const JUMPBOX_IP = '192.168.56.10';

function linkStats(host: string, dev: string): { rx: number; tx: number; rxDropped: number } {
  const j = JSON.parse(inHost(host, ['ip', '-s', '-j', 'link', 'show', dev]).stdout) as Array<{
    ifindex: number;
    stats64: { rx: { packets: number; dropped: number }; tx: { packets: number } };
  }>;
  const s = j[0]?.stats64;
  if (!s) throw new Error(`${host} ${dev}: no link statistics`);
  return { rx: s.rx.packets, tx: s.tx.packets, rxDropped: s.rx.dropped };
}

async function responsesSent(host: string, ip: string): Promise<bigint> {
  const s = await fetchStatus(agentSocket(host));
  return s.l2.responder
    .filter((e) => e.ip === ip && e.iface === 'eth1')
    .reduce((a, e) => a + BigInt(e.responsesSent), 0n);
}

function arpingRtts(ip: string, count: number): { rttUs: number[]; macs: string[] } {
  const res = inHost(
    'jumpbox',
    ['arping', '-c', String(count), '-W', '0.02', '-w', '10', '-i', 'eth1', ip],
    20_000,
  );
  const replies = parseArping(res.stdout);
  return { rttUs: replies.map((r) => r.rttUs), macs: [...new Set(replies.map((r) => r.mac))] };
}

async function main() {
  const rounds = numberFlag('--rounds', 20);
  const flood = numberFlag('--flood', 100_000);
  await freshLab(timingFlags(CILIUM_DEFAULT));
  const store = labStore();
  try {
    const vip = await seedVip(store);
    const holder = vip.holder;
    const holderMac = macOf(holder);
    // proxy_arp answers for an address the node routes out of another device (eth0, the default route).
    for (const kv of ['net.ipv4.conf.eth1.proxy_arp=1', 'net.ipv4.neigh.eth1.proxy_delay=0'])
      inHost(holder, ['sysctl', '-q', '-w', kv]);
    const rtt = { waggle: [] as number[], kernel: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['waggle', 'kernel'] as const) : (['kernel', 'waggle'] as const);
      for (const who of order) {
        const got = arpingRtts(who === 'waggle' ? vip.ip : KERNEL_IP, 10);
        if (got.macs.some((m) => m !== holderMac))
          throw new Error(`${who}: replies from ${got.macs.join(', ')}, want ${holderMac}`);
        rtt[who].push(...got.rttUs);
      }
    }
    for (const kv of ['net.ipv4.conf.eth1.proxy_arp=0']) inHost(holder, ['sysctl', '-q', '-w', kv]);

    // The flood: one socket in the jumpbox, frames built once, sent back to back.
    const jumpMac = macOf('jumpbox');
    const frame = arpFrame({
      ethDst: BROADCAST,
      ethSrc: jumpMac,
      sha: jumpMac,
      sip: JUMPBOX_IP,
      tip: vip.ip,
    });
    const ifindex = JSON.parse(inHost('jumpbox', ['ip', '-j', 'link', 'show', 'eth1']).stdout)[0]
      .ifindex as number;
    const agentPid = componentPid('agent', holder);
    if (agentPid === undefined) throw new Error(`agent ${holder} is not running`);
    const before = {
      sent: await responsesSent(holder, vip.ip),
      holderLink: linkStats(holder, 'eth1'),
      jumpLink: linkStats('jumpbox', 'eth1'),
      cpu: cpuMsOf(agentPid),
    };
    const t0 = performance.now();
    let sendErrors = 0;
    withNetns('waggle-jumpbox', () => {
      const sock = new PacketSocket(ifindex, 'jumpbox eth1');
      try {
        for (let i = 0; i < flood; i++) {
          try {
            sock.send(frame);
          } catch {
            sendErrors++;
          }
        }
      } finally {
        sock.close();
      }
    });
    const sendMs = performance.now() - t0;
    await sleep(1000); // let the last replies land
    const cpuMs = cpuMsOf(agentPid) - before.cpu;
    const wallMs = performance.now() - t0;
    const after = {
      sent: await responsesSent(holder, vip.ip),
      holderLink: linkStats(holder, 'eth1'),
      jumpLink: linkStats('jumpbox', 'eth1'),
    };
    const answered = Number(after.sent - before.sent);
    const floodResult = {
      requests: flood,
      sendErrors,
      sendMs,
      sendRatePerS: flood / (sendMs / 1000),
      reachedHolderEth1: after.holderLink.rx - before.holderLink.rx,
      holderRxDropped: after.holderLink.rxDropped - before.holderLink.rxDropped,
      answeredByWaggle: answered,
      answeredFraction: answered / flood,
      repliesBackAtJumpbox: after.jumpLink.rx - before.jumpLink.rx,
      agentCpuMs: cpuMs,
      agentCpuPercent: (100 * cpuMs) / wallMs,
      agentPidUnchanged: componentPid('agent', holder) === agentPid,
    };
    const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
    const ratio = percentile(rtt.kernel, 50) / percentile(rtt.waggle, 50);
    printTable(`ARP from the jumpbox to ${holder} (eth1), ${rounds} interleaved rounds × 10`, [
      ['responder', 'n', 'RTT p50 µs', 'RTT p99 µs'],
      ['waggle eBPF responder', rtt.waggle.length, p(rtt.waggle, 50), p(rtt.waggle, 99)],
      ['kernel proxy_arp (proxy_delay 0)', rtt.kernel.length, p(rtt.kernel, 50), p(rtt.kernel, 99)],
      ['proxy_arp p50 / waggle p50', '', `${ratio.toFixed(2)}×`, ''],
    ]);
    printTable(`ARP flood: ${flood} requests for ${vip.ip} from the jumpbox`, [
      ['figure', 'value'],
      [
        'send rate (one AF_PACKET socket)',
        `${Math.round(floodResult.sendRatePerS)}/s over ${Math.round(sendMs)} ms`,
      ],
      ['reached the holder eth1 (rx packets)', floodResult.reachedHolderEth1],
      [
        'answered by waggle (responses_sent Δ)',
        `${answered} (${(100 * floodResult.answeredFraction).toFixed(1)}%)`,
      ],
      ['frames back at the jumpbox eth1', floodResult.repliesBackAtJumpbox],
      [
        'holder agent CPU during the flood',
        `${cpuMs} ms (${floodResult.agentCpuPercent.toFixed(1)}% of one core)`,
      ],
      ['holder agent still the same pid', String(floodResult.agentPidUnchanged)],
    ]);
    writeResult('l2-datapath-lab', {
      holder,
      vip: vip.ip,
      arping: {
        rounds,
        waggle: {
          n: rtt.waggle.length,
          p50Us: percentile(rtt.waggle, 50),
          p99Us: percentile(rtt.waggle, 99),
        },
        kernelProxyArp: {
          n: rtt.kernel.length,
          p50Us: percentile(rtt.kernel, 50),
          p99Us: percentile(rtt.kernel, 99),
        },
        kernelOverWaggleP50: ratio,
      },
      flood: floodResult,
    });
  } finally {
    await store.close();
    await resetLab();
  }
}

runBench('l2-datapath-lab', main);

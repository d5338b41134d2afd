// 1,000 malformed ARP frames at the VIP's holder, five kinds × 200, each one that Cilium's
// arp_validate rejects (Cilium's bpf/lib/arp.h, arp_validate; it does not check pro/hln/pln, so neither kind is here). Each is sent from the
// jumpbox's eth1 and also run through BPF_PROG_TEST_RUN of the same from_netdev program with the
// VIP in its responder map and a fresh liveness, so "passed to the kernel" is the program's own
// verdict (TC_ACT_OK, frame unchanged), not an inference from silence on the wire.
import { monotonicNs, PacketSocket, skbContext, TcAct, withNetns } from '../../src/bpf/index.js';
import { L2_RESPONDER_V4_MAP, l2ResponderV4Codec } from '../../src/datapath/maps/l2-responder.js';
import { DROPS_MAP, dropsCodec } from '../../src/datapath/maps/drops.js';
import { RuntimeConfigIndex } from '../../src/datapath/maps/runtime-config.js';
import { TypedMap } from '../../src/bpf/typed-map.js';
import { loadHostDatapath } from '../../src/datapath/host-datapath.js';
import { arpFrame, BROADCAST } from '../../src/datapath/testing/frames.js';
import { pinDir } from '../../src/lab/paths.js';
import { tempBpffs } from '../../src/testing/bpffs.js';
import { inHost, macOf } from './lab.js';

const JUMPBOX_IP = '192.168.56.10';

export function malformedFrames(vip: string): Array<{ kind: string; frame: Buffer }> {
  const mac = macOf('jumpbox');
  const base = { ethDst: BROADCAST, ethSrc: mac, sha: mac, sip: JUMPBOX_IP, tip: vip };
  const kinds: Array<[string, () => Buffer]> = [
    ['truncated (30 bytes)', () => arpFrame({ ...base, length: 30 })],
    ['op = reply', () => arpFrame({ ...base, op: 2 })],
    ['hrd = 6 (IEEE 802)', () => arpFrame({ ...base, hrd: 6 })],
    ['unicast to another MAC', () => arpFrame({ ...base, ethDst: '02:00:00:00:00:99' })],
    ['41 bytes (one short of 42)', () => arpFrame({ ...base, length: 41 })],
  ];
  const out: Array<{ kind: string; frame: Buffer }> = [];
  for (const [kind, make] of kinds) for (let i = 0; i < 200; i++) out.push({ kind, frame: make() });
  return out;
}

export function sendFromJumpbox(frames: Buffer[]): number {
  const ifindex = JSON.parse(inHost('jumpbox', ['ip', '-j', 'link', 'show', 'eth1']).stdout)[0]
    .ifindex as number;
  return withNetns('waggle-jumpbox', () => {
    const sock = new PacketSocket(ifindex, 'jumpbox eth1');
    let sent = 0;
    try {
      for (const f of frames) {
        sock.send(f);
        sent++;
      }
    } finally {
      sock.close();
    }
    return sent;
  });
}

/** The holder's counters as its pinned maps hold them: responses_sent per key and drops per reason. */
export function holderCounters(host: string): string {
  const responder = TypedMap.openPinned(`${pinDir(host)}/${L2_RESPONDER_V4_MAP}`, l2ResponderV4Codec);
  const drops = TypedMap.openPinned(`${pinDir(host)}/${DROPS_MAP}`, dropsCodec);
  try {
    const r = responder.entries().map(([k, v]) => `${k.ip}@${k.ifindex}=${v.responsesSent}`);
    const d = drops.entries().map(([k, v]) => `drop${k}=${v}`);
    return [...r.sort(), ...d.sort()].join(' ');
  } finally {
    responder.close();
    drops.close();
  }
}

/** Verdicts of from_netdev for each frame, with `vip` announced on ifindex 2 and liveness fresh. */
export function verdicts(
  frames: Buffer[],
  vip: string,
  deviceMac: string,
): { passedUnchanged: number; other: number } {
  const fs = tempBpffs();
  try {
    const dp = loadHostDatapath({ pinDir: `${fs.dir}/malformed`, maxLivenessNs: 15_000_000_000n });
    try {
      dp.devices.set(2, { mac: deviceMac });
      dp.responder.set({ ip: vip, ifindex: 2 }, { responsesSent: 0n });
      dp.runtimeConfig.set(RuntimeConfigIndex.AgentLiveness, monotonicNs());
      let passedUnchanged = 0;
      for (const f of frames) {
        const res = dp.fromNetdev.testRun({ data: f, ctx: skbContext({ ingressIfindex: 2, ifindex: 2 }) });
        if (res.retval === TcAct.OK && Buffer.compare(res.data.subarray(0, f.length), f) === 0)
          passedUnchanged++;
      }
      const sent = dp.responder.get({ ip: vip, ifindex: 2 })?.responsesSent ?? -1n;
      if (sent !== 0n) throw new Error(`test run: responses_sent ${sent} after malformed frames, want 0`);
      return { passedUnchanged, other: frames.length - passedUnchanged };
    } finally {
      dp.close();
    }
  } finally {
    fs.cleanup();
  }
}

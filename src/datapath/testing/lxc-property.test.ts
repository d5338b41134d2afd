// 10,000 random frames through from_container: random bytes, and mutated ARP requests and IPv4
// packets. Each run is checked against a small model of the rules (bpf/lib/from_container.h):
// nothing is answered, delivered or dropped that the model does not say must be, answers and
// deliveries are exact, and the drop counters equal the model's count. The seed is printed so a
// failure replays (WAGGLE_PROPERTY_SEED).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { skbContext, TcAct } from '../../bpf/index.js';
import { type TempBpffs, tempBpffs } from '../../testing/bpffs.js';
import { GATEWAY, PEER, PEER_IP } from '../cases/lxc.js';
import { DropReason } from '../maps/drops.js';
import {
  ARP_FRAME_LEN,
  arpFrame,
  BROADCAST,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  expectedArpReply,
  refusedByKernel,
} from './frames.js';
import { POD, POD_ENTRY } from './lxc-case.js';
import { ipv4Checksum, ipv4Packet } from './lxc-frames.js';
import { loadLxcRig } from './lxc-runner.js';
import { readIpv4, readMac } from '../../bpf/codec-fields.js';
import { type Rng, rng } from './rng.js';
import { frameDiff } from './runner.js';

const FRAMES = 10_000;

function randomFrame(r: Rng): Buffer {
  const roll = r.next();
  if (roll < 0.15) {
    const f = r.bytes(14 + r.int(90));
    f.writeUInt16BE(r.pick([ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, 0x88cc, 0x8100, r.int(65536)]), 12);
    return f;
  }
  if (roll < 0.55) {
    const f = arpFrame({
      ethDst: r.pick([BROADCAST, BROADCAST, POD.lxcMac, r.mac()]),
      ethSrc: r.pick([POD.podMac, r.mac()]),
      op: r.pick([1, 1, 1, 2, r.int(65536)]),
      hrd: r.pick([1, 1, 1, 6]),
      pro: r.pick([0x0800, 0x0800, r.int(65536)]),
      sha: r.mac(),
      sip: r.pick([POD.ipv4, r.ip()]),
      tip: r.pick([GATEWAY, POD.ipv4, PEER_IP, r.ip()]),
      length: r.pick([ARP_FRAME_LEN, 60]),
    });
    return r.next() < 0.2 ? f.subarray(0, 14 + r.int(f.length - 13)) : f;
  }
  const f = ipv4Packet({
    ethDst: POD.lxcMac,
    ethSrc: POD.podMac,
    src: r.pick([POD.ipv4, POD.ipv4, POD.ipv4, r.ip()]),
    dst: r.pick([PEER_IP, PEER_IP, '192.168.0.4', r.ip()]),
    ttl: r.pick([64, 2, 1, 0, r.int(256)]),
    payload: r.int(80),
  });
  if (r.next() < 0.2) f[14 + r.int(20)] = r.int(256); // a random header byte (checksum may break)
  return f;
}

type Verdict = { kind: 'pass' } | { kind: 'answer' } | { kind: 'deliver' } | { kind: 'drop'; reason: number };

/** The waggle_lxc rows the rig holds: the peer, and the pod itself (a packet a pod sends to its
 * own address through eth0 is delivered back to it, as any local endpoint's). */
const LOCAL = new Map([
  [PEER_IP, PEER],
  [POD.ipv4, POD_ENTRY],
]);

/** The rules of from_container, as a reader of bpf/lib/from_container.h would state them. */
function model(f: Buffer): Verdict {
  const type = f.readUInt16BE(12);
  if (type === ETH_P_ARP) {
    if (f.length < ARP_FRAME_LEN || f.readUInt16BE(20) !== 1 || f.readUInt16BE(14) !== 1)
      return { kind: 'pass' };
    if (f.readUInt16BE(16) !== ETH_P_IP) return { kind: 'pass' };
    const dst = readMac(f, 0);
    if (dst !== BROADCAST && dst !== POD.lxcMac) return { kind: 'pass' };
    return readIpv4(f, 38) === POD.ipv4 ? { kind: 'pass' } : { kind: 'answer' };
  }
  if (type === ETH_P_IP) {
    if (readIpv4(f, 26) !== POD.ipv4) return { kind: 'drop', reason: DropReason.DROP_INVALID_SIP };
    return LOCAL.has(readIpv4(f, 30)) && (f[22] ?? 0) > 1 ? { kind: 'deliver' } : { kind: 'pass' };
  }
  if (type === ETH_P_IPV6 || type === 0x8100 || type === 0x88a8) return { kind: 'pass' };
  return { kind: 'drop', reason: DropReason.DROP_UNKNOWN_L3 };
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after word m becomes m'. */
function csumUpdate(hc: number, m: number, m2: number): number {
  let sum = (~hc & 0xffff) + (~m & 0xffff) + m2;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** What local delivery makes of `f`: the target endpoint's MACs, TTL − 1, the checksum updated for it. */
function delivered(f: Buffer): Buffer {
  const out = Buffer.from(f);
  const ep = LOCAL.get(readIpv4(f, 30));
  assert.ok(ep, 'delivered only to a local endpoint');
  Buffer.from(ep.mac.replaceAll(':', ''), 'hex').copy(out, 0);
  Buffer.from(ep.nodeMac.replaceAll(':', ''), 'hex').copy(out, 6);
  const word = f.readUInt16BE(22); // ttl, protocol
  out[22] = (out[22] ?? 0) - 1;
  out.writeUInt16BE(csumUpdate(f.readUInt16BE(24), word, out.readUInt16BE(22)), 24);
  return out;
}

let fs: TempBpffs;
before(() => {
  fs = tempBpffs();
});
after(() => fs.cleanup());

test(`${FRAMES} random frames through from_container match the model`, (t) => {
  const seed = Number(process.env.WAGGLE_PROPERTY_SEED ?? Date.now() % 2 ** 31);
  const r = rng(seed);
  const rig = loadLxcRig(`${fs.dir}/property`);
  const tally = { pass: 0, answer: 0, deliver: 0, drop: 0, refused: 0 };
  const drops = new Map<number, bigint>();
  try {
    rig.ep.maps.endpoints.set({ ip: PEER_IP }, PEER);
    for (let i = 0; i < FRAMES; i++) {
      const frame = randomFrame(r);
      const where = `seed ${seed}, frame ${i} (${frame.toString('hex')})`;
      let res: ReturnType<typeof rig.ep.fromContainer.testRun>;
      try {
        res = rig.ep.fromContainer.testRun({ data: frame, ctx: skbContext({ ingressIfindex: POD.ifindex }) });
      } catch (err) {
        assert.ok(refusedByKernel(frame), `${where}: ${String(err)}`);
        tally.refused++;
        continue;
      }
      const want = model(frame);
      tally[want.kind]++;
      if (want.kind === 'answer') {
        assert.equal(res.retval, TcAct.REDIRECT, where);
        assert.equal(frameDiff(res.data, expectedArpReply(frame, POD.lxcMac)), undefined, where);
      } else if (want.kind === 'deliver') {
        assert.equal(res.retval, TcAct.REDIRECT, where);
        assert.equal(frameDiff(res.data, delivered(frame)), undefined, where);
        // The incremental update keeps whatever the checksum said: valid in, valid out.
        const inValid = ipv4Checksum(frame.subarray(14, 34)) === frame.readUInt16BE(24);
        assert.equal(ipv4Checksum(res.data.subarray(14, 34)) === res.data.readUInt16BE(24), inValid, where);
      } else {
        assert.equal(res.retval, want.kind === 'drop' ? TcAct.SHOT : TcAct.OK, where);
        assert.equal(frameDiff(res.data, frame), undefined, where);
        if (want.kind === 'drop') drops.set(want.reason, (drops.get(want.reason) ?? 0n) + 1n);
      }
    }
    assert.deepEqual(new Map(rig.ep.maps.drops.entries()), drops, `seed ${seed}`);
    t.diagnostic(`seed ${seed}: ${JSON.stringify(tally)}`);
    // Every branch of the model must be reached, or the property proves little.
    for (const k of ['pass', 'answer', 'deliver', 'drop'] as const)
      assert.ok(tally[k] > FRAMES / 50, `only ${tally[k]} ${k} (seed ${seed})`);
  } finally {
    rig.close();
  }
});

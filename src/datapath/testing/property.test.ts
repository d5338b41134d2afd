// 10,000 random frames through from_netdev: random bytes, random truncations and ARP requests
// with random fields. Each run is checked against a model of the decision (Cilium's bpf/lib/l2_responder.h, handle_l2_announcement):
// answered frames must be exactly the expected reply, every other frame must pass untouched,
// and the counters must equal the number of replies. The seed is printed so a failure replays.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { monotonicNs, skbContext, TcAct } from '../../bpf/index.js';
import { RuntimeConfigIndex } from '../maps/runtime-config.js';
import { type TempBpffs, tempBpffs } from '../../testing/bpffs.js';
import { DEFAULT_MAX_LIVENESS_NS, loadHostDatapath } from '../host-datapath.js';
import { readIpv4, readMac } from '../../bpf/codec-fields.js';
import { type Rng, rng } from './rng.js';
import { frameDiff } from './runner.js';
import {
  ARP_FRAME_LEN,
  arpFrame,
  BROADCAST,
  ETH_P_ARP,
  expectedArpReply,
  refusedByKernel,
} from './frames.js';

const FRAMES = 10_000;
const DEVICE_MAC = '02:00:00:00:0a:01';
const PROGRAMMED = [
  { ip: '10.0.10.0', ifindex: 2 },
  { ip: '10.0.10.1', ifindex: 2 },
  { ip: '10.0.10.0', ifindex: 3 },
];

function randomFrame(r: Rng): Buffer {
  const roll = r.next();
  const kind = roll < 0.15 ? 0 : roll < 0.75 ? 1 : 2;
  if (kind === 0) {
    const f = r.bytes(14 + r.int(90));
    if (r.next() < 0.5) f.writeUInt16BE(ETH_P_ARP, 12); // random junk that claims to be ARP
    return f;
  }
  const frame = arpFrame({
    ethDst: r.pick([BROADCAST, BROADCAST, DEVICE_MAC, r.mac(), 'ff:ff:ff:ff:ff:fe']),
    ethSrc: r.mac(),
    op: r.pick([1, 1, 1, 1, 1, 2, 0, r.int(65536)]),
    hrd: r.pick([1, 1, 1, 1, 1, 6, r.int(65536)]),
    pro: r.pick([0x0800, r.int(65536)]),
    hln: r.pick([6, r.int(256)]),
    pln: r.pick([4, r.int(256)]),
    sha: r.mac(),
    sip: r.ip(),
    tha: r.mac(),
    tip: r.pick(['10.0.10.0', '10.0.10.1', '10.0.10.2', r.ip()]),
    length: r.pick([ARP_FRAME_LEN, 60, ARP_FRAME_LEN + r.int(60)]),
  });
  r.bytes(frame.length - ARP_FRAME_LEN).copy(frame, ARP_FRAME_LEN); // random padding
  // kind 2: a random truncation, anywhere from the Ethernet header on.
  return kind === 2 ? frame.subarray(0, 14 + r.int(frame.length - 13)) : frame;
}

/** Whether Cilium's responder answers `frame` arriving on `ingress` (liveness is fresh here). */
function modelAnswers(frame: Buffer, ingress: number): boolean {
  if (frame.length < ARP_FRAME_LEN || frame.readUInt16BE(12) !== ETH_P_ARP) return false;
  if (frame.readUInt16BE(20) !== 1 || frame.readUInt16BE(14) !== 1) return false;
  const dst = readMac(frame, 0);
  if (dst !== BROADCAST && dst !== DEVICE_MAC) return false;
  const tip = readIpv4(frame, 38);
  return PROGRAMMED.some((k) => k.ip === tip && k.ifindex === ingress);
}

let fs: TempBpffs;
before(() => {
  fs = tempBpffs();
});
after(() => fs.cleanup());

test(`${FRAMES} random frames: no crash, unanswered frames untouched, answers exact, counters exact`, (t) => {
  const seed = Number(process.env.WAGGLE_PROPERTY_SEED ?? Date.now() % 2 ** 31);
  const r = rng(seed);
  const dp = loadHostDatapath({ pinDir: `${fs.dir}/property`, maxLivenessNs: DEFAULT_MAX_LIVENESS_NS });
  const sent = new Map<string, bigint>(PROGRAMMED.map((k) => [`${k.ip}@${k.ifindex}`, 0n]));
  let answered = 0;
  try {
    dp.devices.set(1, { mac: DEVICE_MAC });
    for (const k of PROGRAMMED) dp.responder.set(k, { responsesSent: 0n });
    for (let i = 0; i < FRAMES; i++) {
      if (i % 1000 === 0) dp.runtimeConfig.set(RuntimeConfigIndex.AgentLiveness, monotonicNs());
      const frame = randomFrame(r);
      const ingress = r.pick([2, 2, 3, 4]);
      const where = `seed ${seed}, frame ${i} (${frame.toString('hex')}), ingress ${ingress}`;
      let res: ReturnType<typeof dp.fromNetdev.testRun>;
      try {
        res = dp.fromNetdev.testRun({ data: frame, ctx: skbContext({ ingressIfindex: ingress }) });
      } catch (err) {
        // Random junk may claim to be a too-short IPv4 or IPv6 frame; the kernel refuses to run it.
        assert.ok(refusedByKernel(frame), `${where}: ${String(err)}`);
        continue;
      }
      if (modelAnswers(frame, ingress)) {
        assert.equal(res.retval, TcAct.REDIRECT, where);
        assert.equal(frameDiff(res.data, expectedArpReply(frame, DEVICE_MAC)), undefined, where);
        const key = `${readIpv4(frame, 38)}@${ingress}`;
        sent.set(key, (sent.get(key) ?? 0n) + 1n);
        answered++;
      } else {
        assert.equal(res.retval, TcAct.OK, where);
        assert.equal(frameDiff(res.data, frame), undefined, where);
      }
    }
    const counters = new Map(
      dp.responder.entries().map(([k, v]) => [`${k.ip}@${k.ifindex}`, v.responsesSent]),
    );
    assert.deepEqual(counters, sent);
    assert.deepEqual(dp.drops.entries(), []);
    t.diagnostic(`seed ${seed}: ${answered} of ${FRAMES} answered`);
    // The generator must reach both sides of the decision, or the property proves little.
    assert.ok(answered > FRAMES / 100, `only ${answered} answered (seed ${seed})`);
    assert.ok(answered < FRAMES / 2, `${answered} answered (seed ${seed})`);
  } finally {
    dp.close();
  }
});

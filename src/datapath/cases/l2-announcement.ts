// The L2 announcement datapath, case by case (Cilium's bpf/lib/l2_responder.h and bpf/lib/arp.h). The device is loopback
// (ifindex 1, what BPF_PROG_TEST_RUN gives a frame unless told otherwise) with DEVICE_MAC in
// waggle_devices; the request "arrives" on ingress ifindex 2, where 10.0.10.0 is announced.
import { TcAct } from '../../bpf/index.js';
import type { DatapathCase } from '../testing/case.js';
import {
  type ArpFields,
  arpFrame,
  BROADCAST,
  expectedArpReply,
  ipv4Frame,
  ipv6Frame,
  vlanArpFrame,
} from '../testing/frames.js';

export const DEVICE_IFINDEX = 1;
export const INGRESS_IFINDEX = 2;
export const DEVICE_MAC = '02:00:00:00:0a:01';
export const REQUESTER_MAC = '02:00:00:00:0b:02';
export const VIP = '10.0.10.0';
export const REQUESTER_IP = '10.0.10.100';
const SECOND = 1_000_000_000n;

const whoHas = (over: Partial<ArpFields> = {}): Buffer =>
  arpFrame({
    ethDst: BROADCAST,
    ethSrc: REQUESTER_MAC,
    sha: REQUESTER_MAC,
    sip: REQUESTER_IP,
    tip: VIP,
    ...over,
  });

const programmed: DatapathCase['setup'] = {
  devices: [{ ifindex: DEVICE_IFINDEX, mac: DEVICE_MAC }],
  responder: [{ ip: VIP, ifindex: INGRESS_IFINDEX }],
  liveness: { kind: 'fresh' },
};
const skb = { ingressIfindex: INGRESS_IFINDEX };
const answered = (frame: Buffer, extra: Partial<DatapathCase['expect']> = {}): DatapathCase['expect'] => ({
  verdict: TcAct.REDIRECT,
  frame: expectedArpReply(frame, DEVICE_MAC),
  responsesSent: [{ key: { ip: VIP, ifindex: INGRESS_IFINDEX }, count: 1n }],
  ...extra,
});
const passed: DatapathCase['expect'] = { verdict: TcAct.OK, frame: 'unchanged' };

function answeredCase(name: string, why: string, frame: Buffer, setup = programmed): DatapathCase {
  return { name, why, frame, skb, setup, expect: answered(frame) };
}

function passedCase(
  name: string,
  why: string,
  frame: Buffer,
  over: { setup?: Partial<DatapathCase['setup']>; skb?: DatapathCase['skb'] } = {},
): DatapathCase {
  return { name, why, frame, skb: over.skb ?? skb, setup: { ...programmed, ...over.setup }, expect: passed };
}

export const l2AnnouncementCases: DatapathCase[] = [
  answeredCase('happy path', 'a broadcast who-has for a programmed (IP, ingress) is answered', whoHas()),
  answeredCase(
    'unicast to own MAC',
    "Linux re-probes a neighbour by unicast; a request sent to the device's MAC is answered",
    whoHas({ ethDst: DEVICE_MAC }),
  ),
  answeredCase(
    'padded request',
    'a 60-byte request keeps its length and its padding bytes in the reply',
    whoHas({ length: 60, padByte: 0xa5 }),
  ),
  answeredCase(
    'reply to Ethernet source',
    'the reply goes to the Ethernet source, not ar_sha (Cilium reads smac from the Ethernet header)',
    whoHas({ sha: '02:00:00:00:0c:03' }),
  ),
  answeredCase(
    'ARP probe from 0.0.0.0',
    'the sender IP is not checked, so a duplicate-address probe is answered (tpa becomes 0.0.0.0)',
    whoHas({ sip: '0.0.0.0' }),
  ),
  answeredCase('liveness within max', 'liveness 500 ms old with a 1 s max still trusts the map', whoHas(), {
    ...programmed,
    liveness: { kind: 'age', ns: SECOND / 2n },
    maxLivenessNs: SECOND,
  }),
  passedCase('IP not in map', 'an unknown target goes to the kernel', whoHas({ tip: '10.0.10.7' })),
  passedCase(
    'IP on another ifindex',
    'the key is (IP, ingress ifindex): ifindex 3 is not announced',
    whoHas(),
    {
      skb: { ingressIfindex: 3 },
    },
  ),
  passedCase(
    'liveness never written',
    'liveness 0 means the agent never ran: do not trust the map. The max is u64 max here, so only the explicit 0 check (not the age test) can refuse',
    whoHas(),
    {
      setup: { liveness: { kind: 'never' }, maxLivenessNs: 0xffff_ffff_ffff_ffffn },
    },
  ),
  passedCase('liveness stale', 'liveness 2 s old with a 1 s max: another node may own the IP now', whoHas(), {
    setup: { liveness: { kind: 'age', ns: 2n * SECOND }, maxLivenessNs: SECOND },
  }),
  passedCase(
    'liveness from the future',
    'now − liveness is unsigned (as Cilium): a value ahead of the clock wraps and counts as stale',
    whoHas(),
    { setup: { liveness: { kind: 'age', ns: -10n * SECOND } } },
  ),
  passedCase('ARP reply', 'op 2 is not a request', whoHas({ op: 2 })),
  passedCase('hrd not Ethernet', 'hrd 6 (IEEE 802) is not ours', whoHas({ hrd: 6 })),
  passedCase(
    'unicast to another MAC',
    'a request addressed to another host is not ours',
    whoHas({ ethDst: '02:00:00:00:0d:04' }),
  ),
  passedCase('41-byte frame', 'one byte short of an ARP request', whoHas().subarray(0, 41)),
  passedCase('IPv4 frame', 'not ARP', ipv4Frame(DEVICE_MAC, REQUESTER_MAC)),
  passedCase(
    'IPv6 frame',
    'not ARP (NDP is a later milestone)',
    ipv6Frame('33:33:ff:00:0a:00', REQUESTER_MAC),
  ),
  passedCase(
    'VLAN-tagged frame',
    'an in-band 802.1Q tag makes the ethertype 0x8100: not ARP on this device',
    vlanArpFrame({
      ethDst: BROADCAST,
      ethSrc: REQUESTER_MAC,
      sha: REQUESTER_MAC,
      sip: REQUESTER_IP,
      tip: VIP,
    }),
  ),
  passedCase(
    'device not registered',
    'no MAC in waggle_devices for the device: nothing to answer with',
    whoHas(),
    {
      setup: { devices: [{ ifindex: 7, mac: DEVICE_MAC }] },
    },
  ),
];

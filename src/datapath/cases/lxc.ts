// The pod datapath, case by case (Cilium's bpf/bpf_lxc.c: cil_from_container, tail_handle_arp,
// is_valid_lxc_src_ipv4, ipv4_local_delivery; cil_to_container). The pod is POD (lxc-case.ts);
// a second pod on the node, PEER, is the local-delivery target. A truncated IPv4 header cannot
// be a case: BPF_PROG_TEST_RUN refuses an IPv4 frame shorter than its header (EINVAL).
import { TcAct } from '../../bpf/index.js';
import { DropReason } from '../maps/drops.js';
import { EndpointFlags, type EndpointInfo } from '../maps/endpoints.js';
import {
  type ArpFields,
  arpFrame,
  BROADCAST,
  ethHeader,
  expectedArpReply,
  ipv6Frame,
  vlanArpFrame,
} from '../testing/frames.js';
import { type LxcCase, POD } from '../testing/lxc-case.js';
import { ipv4Packet } from '../testing/lxc-frames.js';

export const GATEWAY = '10.200.1.1';
export const PEER_IP = '10.200.1.9';
export const PEER: EndpointInfo = {
  ifindex: 23,
  lxcId: 77,
  flags: 0,
  mac: '02:00:00:00:00:b2',
  nodeMac: '02:00:00:00:01:b2',
  secId: 5000,
};
export const NODE_IP = '192.168.0.4';

export const whoHas = (over: Partial<ArpFields> = {}): Buffer =>
  arpFrame({ ethDst: BROADCAST, ethSrc: POD.podMac, sha: POD.podMac, sip: POD.ipv4, tip: GATEWAY, ...over });

export const fromPod = (dst: string, over: { src?: string; ttl?: number } = {}): Buffer =>
  ipv4Packet({ ethDst: POD.lxcMac, ethSrc: POD.podMac, src: over.src ?? POD.ipv4, dst, ...over });

const peerSetup = { endpoints: [{ ip: PEER_IP, info: PEER }] };
const passed: LxcCase['expect'] = { verdict: TcAct.OK, frame: 'unchanged' };
const answered = (frame: Buffer): LxcCase['expect'] => ({
  verdict: TcAct.REDIRECT,
  frame: expectedArpReply(frame, POD.lxcMac),
});
const dropped = (reason: number): LxcCase['expect'] => ({
  verdict: TcAct.SHOT,
  frame: 'unchanged',
  drops: [{ reason, count: 1n }],
  events: { drops: 1 },
});

const toPeer = fromPod(PEER_IP, { ttl: 64 });
const delivered = ipv4Packet({
  ethDst: PEER.mac,
  ethSrc: PEER.nodeMac,
  src: POD.ipv4,
  dst: PEER_IP,
  ttl: 63,
});

export const lxcCases: LxcCase[] = [
  {
    name: 'ARP for the gateway',
    why: 'the pod resolves its gateway to the lxc MAC',
    frame: whoHas(),
    expect: answered(whoHas()),
  },
  {
    name: 'ARP for another IP',
    why: 'every target but the pod’s own is answered (an old gateway after an agent restart)',
    frame: whoHas({ tip: '10.200.7.7' }),
    expect: answered(whoHas({ tip: '10.200.7.7' })),
  },
  {
    name: 'ARP unicast to the lxc MAC, padded',
    why: 'a re-probe sent to the lxc MAC is answered, padding kept',
    frame: whoHas({ ethDst: POD.lxcMac, length: 60, padByte: 0xa5 }),
    expect: answered(whoHas({ ethDst: POD.lxcMac, length: 60, padByte: 0xa5 })),
  },
  {
    name: 'ARP for own IP',
    why: 'duplicate address detection must get no answer',
    frame: whoHas({ tip: POD.ipv4 }),
    expect: passed,
  },
  { name: 'ARP reply', why: 'op 2 is not a request', frame: whoHas({ op: 2 }), expect: passed },
  {
    name: 'ARP 41 bytes',
    why: 'one byte short of a request',
    frame: whoHas().subarray(0, 41),
    expect: passed,
  },
  { name: 'ARP hrd not Ethernet', why: 'hrd 6 is not ours', frame: whoHas({ hrd: 6 }), expect: passed },
  {
    name: 'ARP pro not IPv4',
    why: 'only an IPv4 request gets an IPv4 answer',
    frame: whoHas({ pro: 0x86dd }),
    expect: passed,
  },
  {
    name: 'ARP unicast to another MAC',
    why: 'addressed to someone else',
    frame: whoHas({ ethDst: '02:00:00:00:0d:04' }),
    expect: passed,
  },
  {
    name: 'VLAN-tagged ARP',
    why: 'an in-band 802.1Q tag passes to the kernel',
    frame: vlanArpFrame({
      ethDst: BROADCAST,
      ethSrc: POD.podMac,
      sha: POD.podMac,
      sip: POD.ipv4,
      tip: GATEWAY,
    }),
    expect: passed,
  },
  {
    name: 'IPv4 to the world',
    why: 'the right source, not a local pod: the kernel routes it',
    frame: fromPod('8.8.8.8'),
    expect: passed,
  },
  {
    name: 'IPv4 to the world, traced',
    why: 'with traces on: from-endpoint and to-stack records',
    frame: fromPod('8.8.8.8'),
    setup: { traces: true },
    expect: { ...passed, events: { traces: 2 } },
  },
  {
    name: 'spoofed source',
    why: 'a pod may only send from its own IP: DROP_INVALID_SIP, counted and notified',
    frame: fromPod('8.8.8.8', { src: '10.200.1.6' }),
    expect: dropped(DropReason.DROP_INVALID_SIP),
  },
  {
    name: 'spoofed source, traced',
    why: 'from-endpoint is written before the check, then the drop record',
    frame: fromPod('8.8.8.8', { src: '10.200.1.6' }),
    setup: { traces: true },
    expect: { ...dropped(DropReason.DROP_INVALID_SIP), events: { traces: 1, drops: 1 } },
  },
  {
    name: 'local delivery',
    why: 'to another pod on the node: its MACs, TTL − 1, checksum valid, redirected to its peer',
    frame: toPeer,
    setup: peerSetup,
    expect: { verdict: TcAct.REDIRECT, frame: delivered },
  },
  {
    name: 'local delivery, traced',
    why: 'from-endpoint then to-endpoint',
    frame: toPeer,
    setup: {
      ...peerSetup,
      traces: true,
      ipcache: [{ prefix: `${PEER_IP}/32`, info: { identity: PEER.secId } }],
    },
    expect: { verdict: TcAct.REDIRECT, frame: delivered, events: { traces: 2 } },
  },
  {
    name: 'local delivery with TTL 1',
    why: 'the kernel must send ICMP time exceeded: to the stack, untouched',
    frame: fromPod(PEER_IP, { ttl: 1 }),
    setup: peerSetup,
    expect: passed,
  },
  {
    name: 'to a host IP',
    why: 'a HOST-flagged waggle_lxc entry is not a pod: to the stack',
    frame: fromPod(NODE_IP),
    setup: { endpoints: [{ ip: NODE_IP, info: { ...PEER, flags: EndpointFlags.HOST } }] },
    expect: passed,
  },
  {
    name: 'IPv6',
    why: 'not handled yet: to the stack',
    frame: ipv6Frame('33:33:ff:00:0a:00', POD.podMac),
    expect: passed,
  },
  {
    name: 'LLDP',
    why: 'ethertype 0x88cc: DROP_UNKNOWN_L3',
    frame: Buffer.concat([ethHeader('01:80:c2:00:00:0e', POD.podMac, 0x88cc), Buffer.alloc(32, 1)]),
    expect: dropped(DropReason.DROP_UNKNOWN_L3),
  },
  {
    name: 'to_container IPv4',
    why: 'into the pod: passes untouched; no record while traces are off',
    program: 'toContainer',
    frame: ipv4Packet({ ethDst: POD.podMac, ethSrc: POD.lxcMac, src: '8.8.8.8', dst: POD.ipv4 }),
    expect: passed,
  },
  {
    name: 'to_container IPv4, traced',
    why: 'into the pod: one to-endpoint record',
    program: 'toContainer',
    frame: ipv4Packet({ ethDst: POD.podMac, ethSrc: POD.lxcMac, src: '8.8.8.8', dst: POD.ipv4 }),
    setup: { traces: true },
    expect: { ...passed, events: { traces: 1 } },
  },
  {
    name: 'to_container ARP',
    why: 'ARP into the pod passes',
    program: 'toContainer',
    frame: whoHas({ tip: POD.ipv4, sip: GATEWAY, sha: POD.lxcMac, ethSrc: POD.lxcMac }),
    setup: { traces: true },
    expect: passed,
  },
];

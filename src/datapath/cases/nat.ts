// eBPF masquerading, case by case (Cilium's snat_v4_* in bpf/lib/nat.h): the pod is POD, the node
// is NODE (eth1, 10.98.0.21), the native routing CIDR 10.200.0.0/16 and the masquerade port
// range narrowed to 61000..61009 so every allocation is predictable: the pod's own port when in
// range and free, else the next ones in order.
import { TcAct } from '../../bpf/index.js';
import { DropReason } from '../maps/drops.js';
import type { NatTuple } from '../maps/snat.js';
import type { HostPathCase } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { type L4Fields, l4Packet, PROTO } from '../testing/l4-frames.js';
import { POD } from '../testing/lxc-case.js';

export const JB = NODE.jumpbox;
export const masq = {
  masquerade: { nativeRoutingCidr: '10.200.0.0/16', ipMasqAgent: true, portMin: 61000, portMax: 61009 },
};

/** The pod's packet as it reaches eth1's egress (routed: node MACs). */
export const out = (over: Partial<L4Fields> = {}): Buffer =>
  l4Packet({
    ethDst: NODE.peerMac,
    ethSrc: NODE.mac,
    src: POD.ipv4,
    dst: JB,
    proto: PROTO.TCP,
    sport: 61003,
    dport: 9000,
    ttl: 63,
    ...over,
  });
/** The jumpbox's reply as it arrives on eth1. */
export const reply = (over: Partial<L4Fields> = {}): Buffer =>
  l4Packet({
    ethDst: NODE.mac,
    ethSrc: NODE.peerMac,
    src: JB,
    dst: NODE.ip,
    proto: PROTO.TCP,
    sport: 9000,
    dport: 61003,
    tcpFlags: 0x12,
    ...over,
  });

export const pass = (program: 'toNetdev' | 'fromNetdev', frame: Buffer) => ({
  program,
  frame,
  expect: { verdict: TcAct.OK, frame: 'unchanged' as const },
});

export const tcpRows = (port: number, podPort = 61003) => [
  `TCP OUT ${POD.ipv4}:${podPort} -> ${JB}:9000 XLATE_SRC ${NODE.ip}:${port}`,
  `TCP IN ${JB}:9000 -> ${NODE.ip}:${port} XLATE_DST ${POD.ipv4}:${podPort}`,
];

/** Another pod's flow to the same destination already holding node port `port`. */
export const takenBy = (
  port: number,
  podIp = '10.200.1.77',
  age: { idleSec?: number; closedSec?: number } = {},
) => ({
  key: { nexthdr: PROTO.TCP, dir: 'IN', saddr: JB, sport: 9000, daddr: NODE.ip, dport: port } as NatTuple,
  value: { needsCt: false, toAddr: podIp, toPort: port },
  ...age,
});
/** That other pod's OUT entry, mapped to node port `port`. */
export const outOf = (port: number, podIp = '10.200.1.77') => ({
  key: { nexthdr: PROTO.TCP, dir: 'OUT', saddr: podIp, sport: port, daddr: JB, dport: 9000 } as NatTuple,
  value: { needsCt: false, toAddr: NODE.ip, toPort: port },
});
export const takenRow = (port: number, podIp = '10.200.1.77') =>
  `TCP IN ${JB}:9000 -> ${NODE.ip}:${port} XLATE_DST ${podIp}:${port}`;

export const natCases: HostPathCase[] = [
  {
    name: 'TCP flow: SYN out, SYN-ACK back, ACK out',
    why: 'the first packet makes both entries (the pod’s port kept), the reply is translated back, the next packet reuses the mapping',
    setup: masq,
    steps: [
      { program: 'toNetdev', frame: out(), expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip }) } },
      {
        program: 'fromNetdev',
        frame: reply(),
        expect: { verdict: TcAct.OK, frame: reply({ dst: POD.ipv4 }) },
      },
      {
        program: 'toNetdev',
        frame: out({ tcpFlags: 0x10 }),
        expect: { verdict: TcAct.OK, frame: out({ tcpFlags: 0x10, src: NODE.ip }) },
      },
    ],
    expect: { snat: tcpRows(61003) },
  },
  {
    name: 'reply with eBPF host routing',
    why: 'translated back, then delivered straight into the pod: its MACs, TTL − 1, redirected',
    setup: { ...masq, hostRouting: true },
    steps: [
      { program: 'toNetdev', frame: out(), expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip }) } },
      {
        program: 'fromNetdev',
        frame: reply(),
        expect: {
          verdict: TcAct.REDIRECT,
          frame: reply({ dst: POD.ipv4, ethDst: POD.podMac, ethSrc: POD.lxcMac, ttl: 63 }),
        },
      },
    ],
    expect: { snat: tcpRows(61003) },
  },
  {
    name: 'port collision',
    why: 'another flow holds 61003 towards the same destination: the next port, 61004',
    setup: { ...masq, snat: [takenBy(61003)] },
    steps: [
      {
        program: 'toNetdev',
        frame: out(),
        expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip, sport: 61004 }) },
      },
    ],
    expect: { snat: [takenRow(61003), ...tcpRows(61004)] },
  },
  {
    name: 'pod port outside the range',
    why: 'port 40000 cannot be kept: one from the range (narrowed to 61005 alone here)',
    setup: { masquerade: { ...masq.masquerade, portMin: 61005, portMax: 61005 } },
    steps: [
      {
        program: 'toNetdev',
        frame: out({ sport: 40000 }),
        expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip, sport: 61005 }) },
      },
    ],
    expect: { snat: tcpRows(61005, 40000) },
  },
  {
    name: 'no free port',
    why: 'every port of the range is taken towards this destination: DROP_NAT_NO_MAPPING, nothing added',
    setup: {
      masquerade: { ...masq.masquerade, portMin: 61000, portMax: 61001 },
      snat: [takenBy(61000), takenBy(61001)],
    },
    steps: [
      {
        program: 'toNetdev',
        frame: out({ sport: 61000 }),
        expect: { verdict: TcAct.SHOT, frame: 'unchanged' },
      },
    ],
    expect: {
      snat: [takenRow(61000), takenRow(61001)],
      drops: [{ reason: DropReason.DROP_NAT_NO_MAPPING, count: 1n }],
    },
  },
  {
    name: 'UDP out and back',
    why: 'UDP’s checksum covers the addresses too: both directions translated with a valid checksum',
    setup: masq,
    steps: [
      {
        program: 'toNetdev',
        frame: out({ proto: PROTO.UDP, dport: 53 }),
        expect: { verdict: TcAct.OK, frame: out({ proto: PROTO.UDP, dport: 53, src: NODE.ip }) },
      },
      {
        program: 'fromNetdev',
        frame: reply({ proto: PROTO.UDP, sport: 53 }),
        expect: { verdict: TcAct.OK, frame: reply({ proto: PROTO.UDP, sport: 53, dst: POD.ipv4 }) },
      },
    ],
    expect: {
      snat: [
        `UDP OUT ${POD.ipv4}:61003 -> ${JB}:53 XLATE_SRC ${NODE.ip}:61003`,
        `UDP IN ${JB}:53 -> ${NODE.ip}:61003 XLATE_DST ${POD.ipv4}:61003`,
      ],
    },
  },
  {
    name: 'UDP without a checksum',
    why: 'a zero UDP checksum means none (RFC 768) and stays zero',
    setup: masq,
    steps: [
      {
        program: 'toNetdev',
        frame: out({ proto: PROTO.UDP, dport: 53, noUdpChecksum: true }),
        expect: {
          verdict: TcAct.OK,
          frame: out({ proto: PROTO.UDP, dport: 53, noUdpChecksum: true, src: NODE.ip }),
        },
      },
    ],
    expect: {
      snat: [
        `UDP OUT ${POD.ipv4}:61003 -> ${JB}:53 XLATE_SRC ${NODE.ip}:61003`,
        `UDP IN ${JB}:53 -> ${NODE.ip}:61003 XLATE_DST ${POD.ipv4}:61003`,
      ],
    },
  },
  {
    name: 'ICMP echo out and back',
    why: 'the echo identifier is the port: request translated, reply translated back',
    setup: masq,
    steps: [
      {
        program: 'toNetdev',
        frame: out({ proto: PROTO.ICMP, sport: 61007 }),
        expect: { verdict: TcAct.OK, frame: out({ proto: PROTO.ICMP, sport: 61007, src: NODE.ip }) },
      },
      {
        program: 'fromNetdev',
        frame: reply({ proto: PROTO.ICMP, icmpType: 0, sport: 61007 }),
        expect: {
          verdict: TcAct.OK,
          frame: reply({ proto: PROTO.ICMP, icmpType: 0, sport: 61007, dst: POD.ipv4 }),
        },
      },
    ],
    expect: {
      snat: [
        `ICMP OUT ${POD.ipv4}:61007 -> ${JB}:0 XLATE_SRC ${NODE.ip}:61007`,
        `ICMP IN ${JB}:0 -> ${NODE.ip}:61007 XLATE_DST ${POD.ipv4}:61007`,
      ],
    },
  },
  {
    name: 'to another pod (native routing CIDR)',
    why: 'pod-to-pod keeps the pod’s address',
    setup: masq,
    steps: [pass('toNetdev', out({ dst: '10.200.2.7' }))],
    expect: {},
  },
  {
    name: 'to a nonMasqueradeCIDR',
    why: 'the ip-masq-agent’s CIDRs keep the pod’s address',
    setup: { ...masq, ipmasq: ['10.98.0.0/24'] },
    steps: [pass('toNetdev', out())],
    expect: {},
  },
  {
    name: 'nonMasqueradeCIDRs without --enable-ip-masq-agent',
    why: 'the map is consulted only with the ip-masq-agent on',
    setup: { masquerade: { ...masq.masquerade, ipMasqAgent: false }, ipmasq: ['10.98.0.0/24'] },
    steps: [
      { program: 'toNetdev', frame: out(), expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip }) } },
    ],
    expect: { snat: tcpRows(61003) },
  },
  {
    name: 'to another node',
    why: 'a remote-node address (ipcache identity 6) is reached with the pod’s own address, as Cilium’s native routing',
    setup: { ...masq, ipcache: [{ prefix: `${NODE.peerIp}/32`, identity: 6 }] },
    steps: [pass('toNetdev', out({ dst: NODE.peerIp }))],
    expect: {},
  },
  {
    name: 'the node’s own connection inside the cluster',
    why: 'to another pod (native routing CIDR) no pod flow is ever masqueraded: no guard entry either',
    setup: masq,
    steps: [pass('toNetdev', out({ src: NODE.ip, dst: '10.200.2.7' }))],
    expect: {},
  },
  {
    name: 'a pod answering an inbound connection',
    why: 'a SYN-ACK with no mapping belongs to a connection from outside: no mapping made, untouched',
    setup: masq,
    steps: [pass('toNetdev', out({ tcpFlags: 0x12 }))],
    expect: {},
  },
  {
    name: 'the node’s own connection guards its port',
    why: 'not translated, but its (destination, port) is held by an entry to itself: a pod flow keeping port 61003 towards the same destination gets 61004, and the node’s reply passes untouched',
    setup: masq,
    steps: [
      pass('toNetdev', out({ src: NODE.ip })),
      {
        program: 'toNetdev',
        frame: out(),
        expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip, sport: 61004 }) },
      },
      pass('fromNetdev', reply()),
    ],
    expect: { snat: [`TCP IN ${JB}:9000 -> ${NODE.ip}:61003 XLATE_DST ${NODE.ip}:61003`, ...tcpRows(61004)] },
  },
  {
    name: 'GRE from a pod',
    why: 'no ports to translate: DROP_NAT_UNSUPP_PROTO rather than leaking the pod’s address',
    setup: masq,
    steps: [
      {
        program: 'toNetdev',
        frame: out({ proto: PROTO.GRE }),
        expect: { verdict: TcAct.SHOT, frame: 'unchanged' },
      },
    ],
    expect: { drops: [{ reason: DropReason.DROP_NAT_UNSUPP_PROTO, count: 1n }] },
  },
  {
    name: 'a fragment from a pod',
    why: 'a non-first fragment has no ports: DROP_FRAG_NOSUPPORT',
    setup: masq,
    steps: [
      {
        program: 'toNetdev',
        frame: out({ fragWord: 0x0010 }),
        expect: { verdict: TcAct.SHOT, frame: 'unchanged' },
      },
    ],
    expect: { drops: [{ reason: DropReason.DROP_FRAG_NOSUPPORT, count: 1n }] },
  },
  {
    name: 'a packet for the node without a mapping',
    why: 'traffic to the node itself passes to the kernel untouched',
    setup: masq,
    steps: [pass('fromNetdev', reply())],
    expect: {},
  },
  {
    name: 'masquerading off',
    why: 'loaded without --enable-bpf-masquerade, to_netdev lets everything through',
    setup: {},
    steps: [pass('toNetdev', out())],
    expect: {},
  },
];

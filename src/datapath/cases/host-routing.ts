// eBPF host routing, case by case (Cilium's fib_redirect in bpf/lib/fib.h, and from_netdev's
// delivery to local endpoints): the pod is POD, the node and its routes are host-path-netns.ts.
// Each case is one packet; the FIB lookups consult the case netns.
import { TcAct } from '../../bpf/index.js';
import { EndpointFlags } from '../maps/endpoints.js';
import type { HostPathCase } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { type L4Fields, l4Packet, PROTO } from '../testing/l4-frames.js';
import { POD } from '../testing/lxc-case.js';

const routing = { hostRouting: true };

/** A pod's TCP segment as it enters its lxc. */
export const podSends = (dst: string, over: Partial<L4Fields> = {}): Buffer =>
  l4Packet({
    ethDst: POD.lxcMac,
    ethSrc: POD.podMac,
    src: POD.ipv4,
    dst,
    proto: PROTO.TCP,
    sport: 40000,
    dport: 8080,
    ...over,
  });

/** A TCP segment for the pod as it arrives on eth1 from the other node. */
export const arrivesForPod = (over: Partial<L4Fields> = {}): Buffer =>
  l4Packet({
    ethDst: NODE.mac,
    ethSrc: NODE.peerMac,
    src: '10.200.2.7',
    dst: POD.ipv4,
    proto: PROTO.TCP,
    sport: 8080,
    dport: 40000,
    ...over,
  });

const unchanged = (program: HostPathCase['steps'][number]['program'], frame: Buffer) => ({
  program,
  frame,
  expect: { verdict: TcAct.OK, frame: 'unchanged' as const },
});

export const hostRoutingCases: HostPathCase[] = [
  {
    name: 'to a remote pod, neighbour known',
    why: 'FIB answer with MACs: dst = the other node, src = eth1, TTL − 1, redirected to eth1',
    setup: routing,
    steps: [
      {
        program: 'fromContainer',
        frame: podSends('10.200.2.7'),
        expect: {
          verdict: TcAct.REDIRECT,
          frame: podSends('10.200.2.7', { ethDst: NODE.peerMac, ethSrc: NODE.mac, ttl: 63 }),
        },
      },
    ],
    expect: {},
  },
  {
    name: 'to a remote pod, nexthop unresolved',
    why: 'NO_NEIGH: TTL − 1 and bpf_redirect_neigh, which fills the MACs when it resolves',
    setup: routing,
    steps: [
      {
        program: 'fromContainer',
        frame: podSends('10.200.3.7'),
        expect: { verdict: TcAct.REDIRECT, frame: podSends('10.200.3.7', { ttl: 63 }) },
      },
    ],
    expect: {},
  },
  {
    name: 'out of the node (on-link destination)',
    why: 'the jumpbox, on eth1’s subnet and not yet resolved: redirected to eth1 through the neighbour code',
    setup: routing,
    steps: [
      {
        program: 'fromContainer',
        frame: podSends(NODE.jumpbox),
        expect: { verdict: TcAct.REDIRECT, frame: podSends(NODE.jumpbox, { ttl: 63 }) },
      },
    ],
    expect: {},
  },
  {
    name: 'to the node itself',
    why: 'a local address (FIB: not forwarded) goes up the stack untouched',
    setup: routing,
    steps: [unchanged('fromContainer', podSends(NODE.ip))],
    expect: {},
  },
  {
    name: 'through a device that is not native',
    why: 'the route leaves through other0, which is not in waggle_devices: the stack handles it',
    setup: routing,
    steps: [unchanged('fromContainer', podSends('10.77.0.9'))],
    expect: {},
  },
  {
    name: 'with host routing off',
    why: 'legacy routing: the remote pod’s packet goes to the stack untouched',
    setup: {},
    steps: [unchanged('fromContainer', podSends('10.200.2.7'))],
    expect: {},
  },
  {
    name: 'TTL 1 from the pod',
    why: 'the kernel must answer time exceeded: not redirected',
    setup: routing,
    steps: [unchanged('fromContainer', podSends('10.200.2.7', { ttl: 1 }))],
    expect: {},
  },
  {
    name: 'from_netdev: for a local pod',
    why: 'arriving on eth1 for a local pod: its MACs, TTL − 1, straight into it (bpf_redirect_peer)',
    setup: routing,
    steps: [
      {
        program: 'fromNetdev',
        frame: arrivesForPod(),
        expect: {
          verdict: TcAct.REDIRECT,
          frame: arrivesForPod({ ethDst: POD.podMac, ethSrc: POD.lxcMac, ttl: 63 }),
        },
      },
    ],
    expect: {},
  },
  {
    name: 'from_netdev: for the node',
    why: 'traffic to the node itself goes to the kernel untouched',
    setup: routing,
    steps: [unchanged('fromNetdev', arrivesForPod({ dst: NODE.ip }))],
    expect: {},
  },
  {
    name: 'from_netdev: for a host IP entry',
    why: 'a HOST-flagged waggle_lxc address is not a pod: the kernel’s',
    setup: {
      ...routing,
      endpoints: [
        {
          ip: '10.200.1.1',
          info: {
            ifindex: 0,
            lxcId: 0,
            flags: EndpointFlags.HOST,
            mac: '00:00:00:00:00:00',
            nodeMac: '00:00:00:00:00:00',
            secId: 1,
          },
        },
      ],
    },
    steps: [unchanged('fromNetdev', arrivesForPod({ dst: '10.200.1.1' }))],
    expect: {},
  },
  {
    name: 'from_netdev: host routing off',
    why: 'legacy routing: the kernel routes it to the pod',
    setup: {},
    steps: [unchanged('fromNetdev', arrivesForPod())],
    expect: {},
  },
];

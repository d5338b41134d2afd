// The per-packet service LB, case by case (bpf/lib/lb4.h, nodeport.h; Cilium's lb4_local,
// nodeport_lb4 in SNAT mode, lb4_rev_nat): the node is NODE (eth1, 10.98.0.21), the client
// outside is the jumpbox, the remote backend a pod behind the other node (10.200.2.7, its MAC
// known) and the local backend POD. Each case follows a flow through the programs it crosses and
// ends with the conntrack and NAT entries it left.
import { TcAct } from '../../bpf/index.js';
import { DropReason } from '../maps/drops.js';
import { SvcFlag, SvcFlag2 } from '../maps/lb4-services.js';
import type { HostPathCase, LbFrontend } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { type L4Fields, l4Packet, PROTO } from '../testing/l4-frames.js';
import { POD } from '../testing/lxc-case.js';

const JB = NODE.jumpbox;
const LB_IP = '10.0.10.0';
const REMOTE = '10.200.2.7';
const LOOPBACK = '169.254.42.1';
const on = { lb: { perPacket: true, nodePort: true } };
const routable = SvcFlag.LOADBALANCER | SvcFlag.ROUTABLE;

const frontend = (
  address: string,
  port: number,
  flags: number,
  backends: LbFrontend['backends'],
): LbFrontend => ({
  address,
  port,
  proto: PROTO.TCP,
  flags,
  revNat: 7,
  backends,
});

/** A TCP segment arriving on eth1 (from the jumpbox or the other node). */
const arrives = (src: string, sport: number, dst: string, dport: number, over: Partial<L4Fields> = {}) =>
  l4Packet({ ethDst: NODE.mac, ethSrc: NODE.peerMac, src, dst, proto: PROTO.TCP, sport, dport, ...over });
/** A TCP segment the pod sends. */
const podSends = (src: string, sport: number, dst: string, dport: number, over: Partial<L4Fields> = {}) =>
  l4Packet({ ethDst: POD.lxcMac, ethSrc: POD.podMac, src, dst, proto: PROTO.TCP, sport, dport, ...over });
/** To the other node, as the FIB redirect leaves it: its MAC, ours, TTL − 1. */
const toPeer = (src: string, sport: number, dst: string, dport: number, over: Partial<L4Fields> = {}) =>
  l4Packet({
    ethDst: NODE.peerMac,
    ethSrc: NODE.mac,
    src,
    dst,
    proto: PROTO.TCP,
    sport,
    dport,
    ttl: 63,
    ...over,
  });
/** Into the pod by local delivery: its MAC, the lxc's, TTL − 1. */
const intoPod = (src: string, sport: number, dst: string, dport: number, over: Partial<L4Fields> = {}) =>
  l4Packet({
    ethDst: POD.podMac,
    ethSrc: POD.lxcMac,
    src,
    dst,
    proto: PROTO.TCP,
    sport,
    dport,
    ttl: 63,
    ...over,
  });

const SYNACK = { tcpFlags: 0x12 };
const ACK = { tcpFlags: 0x10 };

/** What the jumpbox's flow from `sport` to the LoadBalancer IP leaves when backend 3 (remote) took it. */
const remoteFlow = (sport: number) => ({
  ct: [
    `TCP SERVICE ${JB}:${sport} -> ${LB_IP}:80 [nodePort] BackendID=3`,
    `TCP IN ${REMOTE}:80 -> ${JB}:${sport} [nodePort] XLATE_SRC ${LB_IP}:80`,
  ],
  snat: [
    `TCP OUT ${JB}:${sport} -> ${REMOTE}:80 XLATE_SRC ${NODE.ip}:${sport}`,
    `TCP IN ${REMOTE}:80 -> ${NODE.ip}:${sport} XLATE_DST ${JB}:${sport}`,
  ],
});

export const lbCases: HostPathCase[] = [
  {
    name: 'LoadBalancer IP from outside, remote backend',
    why: 'DNAT to the backend and SNAT to the node (client port kept), out of eth1 by the FIB; the SYN-ACK comes back to the node, gets the client and the frontend back and leaves for the jumpbox; the ACK reuses the flow',
    setup: { ...on, frontends: [frontend(LB_IP, 80, routable, [{ id: 3, address: REMOTE, port: 80 }])] },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80) },
      },
      {
        program: 'fromNetdev',
        frame: arrives(REMOTE, 80, NODE.ip, 40000, SYNACK),
        // The jumpbox's MAC is not resolved in the case netns: redirected through the neighbour code.
        expect: { verdict: TcAct.REDIRECT, frame: arrives(LB_IP, 80, JB, 40000, { ...SYNACK, ttl: 63 }) },
      },
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80, ACK),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80, ACK) },
      },
    ],
    expect: remoteFlow(40000),
  },
  {
    name: 'NodePort on the device address, local backend',
    why: 'the surrogate 0.0.0.0:30080 row matches eth1’s address; DNAT only (the pod sees the jumpbox), the kernel routes it in; the pod’s reply leaves as from 10.98.0.21:30080, by the FIB',
    setup: {
      ...on,
      frontends: [
        frontend('0.0.0.0', 30080, SvcFlag.NODEPORT | SvcFlag.ROUTABLE, [
          { id: 4, address: POD.ipv4, port: 80 },
        ]),
      ],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, NODE.ip, 30080),
        expect: { verdict: TcAct.OK, frame: arrives(JB, 40000, POD.ipv4, 80) },
      },
      {
        // Its source is now the node's own address: straight out by the FIB (the kernel would
        // drop it as martian), through the neighbour code as the jumpbox is not resolved here.
        program: 'fromContainer',
        frame: podSends(POD.ipv4, 80, JB, 40000, SYNACK),
        expect: {
          verdict: TcAct.REDIRECT,
          frame: podSends(NODE.ip, 30080, JB, 40000, { ...SYNACK, ttl: 63 }),
        },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${JB}:40000 -> ${NODE.ip}:30080 [nodePort] BackendID=4`,
        `TCP IN ${POD.ipv4}:80 -> ${JB}:40000 [nodePort] XLATE_SRC ${NODE.ip}:30080`,
      ],
    },
  },
  {
    name: 'a ClusterIP from outside',
    why: 'not routable (Cilium’s default): untouched, no entries',
    setup: { ...on, frontends: [frontend('10.96.0.10', 80, 0, [{ id: 3, address: REMOTE, port: 80 }])] },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, '10.96.0.10', 80),
        expect: { verdict: TcAct.OK, frame: 'unchanged' },
      },
    ],
    expect: { ct: [] },
  },
  {
    name: 'a LoadBalancer IP without backends',
    why: 'DROP_NO_SERVICE, counted, nothing made',
    setup: { ...on, frontends: [frontend(LB_IP, 80, routable, [])] },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.SHOT, frame: 'unchanged' },
      },
    ],
    expect: { ct: [], drops: [{ reason: DropReason.DROP_NO_SERVICE, count: 1n }] },
  },
  {
    name: 'NodePort off',
    why: '--enable-node-port=false: from_netdev leaves the LoadBalancer IP to the kernel',
    setup: {
      lb: { perPacket: true, nodePort: false },
      frontends: [frontend(LB_IP, 80, routable, [{ id: 3, address: REMOTE, port: 80 }])],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.OK, frame: 'unchanged' },
      },
    ],
    expect: { ct: [] },
  },
  {
    name: 'pod to a ClusterIP, per packet, remote backend',
    why: 'what socket LB did not translate: DNAT in from_container, the kernel routes it; the reply from the other node gets the ClusterIP back in from_netdev',
    setup: { ...on, frontends: [frontend('10.96.0.10', 80, 0, [{ id: 5, address: REMOTE, port: 80 }])] },
    steps: [
      {
        program: 'fromContainer',
        frame: podSends(POD.ipv4, 45000, '10.96.0.10', 80),
        expect: { verdict: TcAct.OK, frame: podSends(POD.ipv4, 45000, REMOTE, 80) },
      },
      {
        program: 'fromNetdev',
        frame: arrives(REMOTE, 80, POD.ipv4, 45000, SYNACK),
        expect: { verdict: TcAct.OK, frame: arrives('10.96.0.10', 80, POD.ipv4, 45000, SYNACK) },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${POD.ipv4}:45000 -> 10.96.0.10:80 [] BackendID=5`,
        `TCP IN ${REMOTE}:80 -> ${POD.ipv4}:45000 [] XLATE_SRC 10.96.0.10:80`,
      ],
    },
  },
  {
    name: 'hairpin: a pod reaching itself through its service',
    why: 'its own address as backend: source 169.254.42.1 so it can answer, straight back in; the answer leaves as the ClusterIP, to the pod',
    setup: { ...on, frontends: [frontend('10.96.0.11', 80, 0, [{ id: 6, address: POD.ipv4, port: 80 }])] },
    steps: [
      {
        program: 'fromContainer',
        frame: podSends(POD.ipv4, 45000, '10.96.0.11', 80),
        expect: { verdict: TcAct.REDIRECT, frame: intoPod(LOOPBACK, 45000, POD.ipv4, 80) },
      },
      {
        program: 'fromContainer',
        frame: podSends(POD.ipv4, 80, LOOPBACK, 45000, SYNACK),
        expect: { verdict: TcAct.REDIRECT, frame: intoPod('10.96.0.11', 80, POD.ipv4, 45000, SYNACK) },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${POD.ipv4}:45000 -> 10.96.0.11:80 [loopback] BackendID=6`,
        `TCP IN ${POD.ipv4}:80 -> ${LOOPBACK}:45000 [loopback] XLATE_SRC 10.96.0.11:80`,
      ],
    },
  },
  {
    name: 'source ranges: the jumpbox inside the range',
    why: 'a LoadBalancer IP with loadBalancerSourceRanges 10.98.0.0/24: the jumpbox (10.98.0.10) gets through',
    setup: {
      ...on,
      frontends: [
        {
          ...frontend(LB_IP, 80, routable | SvcFlag.SOURCE_RANGE, [{ id: 3, address: REMOTE, port: 80 }]),
          sourceRanges: ['10.98.0.0/24'],
        },
      ],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80) },
      },
    ],
    expect: remoteFlow(40000),
  },
  {
    name: 'source ranges: the jumpbox outside the range',
    why: 'only 192.168.99.0/24, while another service allows 10.98.0.0/24: DROP_NOT_IN_SRC_RANGE, nothing made',
    setup: {
      ...on,
      frontends: [
        {
          ...frontend(LB_IP, 80, routable | SvcFlag.SOURCE_RANGE, [{ id: 3, address: REMOTE, port: 80 }]),
          sourceRanges: ['192.168.99.0/24'],
        },
        { ...frontend('10.0.10.1', 80, routable, []), revNat: 8, sourceRanges: ['10.98.0.0/24'] },
      ],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.SHOT, frame: 'unchanged' },
      },
    ],
    expect: { ct: [], drops: [{ reason: DropReason.DROP_NOT_IN_SRC_RANGE, count: 1n }] },
  },
  {
    name: 'externalTrafficPolicy=Local: two scopes',
    why: 'the external rows hold only the local backend (the jumpbox keeps its address, no SNAT); a pod uses the internal rows, with the remote backend',
    setup: {
      ...on,
      frontends: [
        {
          ...frontend(LB_IP, 80, routable | SvcFlag.EXT_LOCAL_SCOPE, [
            { id: 4, address: POD.ipv4, port: 80 },
          ]),
          flags2: SvcFlag2.TWO_SCOPES,
        },
        {
          ...frontend(LB_IP, 80, routable | SvcFlag.EXT_LOCAL_SCOPE, [{ id: 3, address: REMOTE, port: 80 }]),
          flags2: SvcFlag2.TWO_SCOPES,
          scope: 1,
        },
      ],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.OK, frame: arrives(JB, 40000, POD.ipv4, 80) },
      },
      {
        program: 'fromContainer',
        frame: podSends(POD.ipv4, 45000, LB_IP, 80),
        expect: { verdict: TcAct.OK, frame: podSends(POD.ipv4, 45000, REMOTE, 80) },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${JB}:40000 -> ${LB_IP}:80 [nodePort] BackendID=4`,
        `TCP IN ${POD.ipv4}:80 -> ${JB}:40000 [nodePort] XLATE_SRC ${LB_IP}:80`,
        `TCP SERVICE ${POD.ipv4}:45000 -> ${LB_IP}:80 [] BackendID=3`,
        `TCP IN ${REMOTE}:80 -> ${POD.ipv4}:45000 [] XLATE_SRC ${LB_IP}:80`,
      ],
    },
  },
  {
    name: 'pod to another node’s NodePort, per packet',
    why: 'the surrogate row matches any node address the ipcache knows (remote-node identity): straight to the backend, no detour through that node',
    setup: {
      ...on,
      ipcache: [{ prefix: `${NODE.peerIp}/32`, identity: 6 }],
      frontends: [
        frontend('0.0.0.0', 30080, SvcFlag.NODEPORT | SvcFlag.ROUTABLE, [
          { id: 5, address: REMOTE, port: 80 },
        ]),
      ],
    },
    steps: [
      {
        program: 'fromContainer',
        frame: podSends(POD.ipv4, 45000, NODE.peerIp, 30080),
        expect: { verdict: TcAct.OK, frame: podSends(POD.ipv4, 45000, REMOTE, 80) },
      },
      {
        program: 'fromNetdev',
        frame: arrives(REMOTE, 80, POD.ipv4, 45000, SYNACK),
        expect: { verdict: TcAct.OK, frame: arrives(NODE.peerIp, 30080, POD.ipv4, 45000, SYNACK) },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${POD.ipv4}:45000 -> ${NODE.peerIp}:30080 [] BackendID=5`,
        `TCP IN ${REMOTE}:80 -> ${POD.ipv4}:45000 [] XLATE_SRC ${NODE.peerIp}:30080`,
      ],
    },
  },
  {
    name: 'pod to a world address on a NodePort’s port',
    why: 'the surrogate row is only for node addresses: 10.77.0.9:30080 is left alone',
    setup: {
      ...on,
      frontends: [
        frontend('0.0.0.0', 30080, SvcFlag.NODEPORT | SvcFlag.ROUTABLE, [
          { id: 5, address: REMOTE, port: 80 },
        ]),
      ],
    },
    steps: [
      {
        program: 'fromContainer',
        frame: podSends(POD.ipv4, 45000, '10.77.0.9', 30080),
        expect: { verdict: TcAct.OK, frame: 'unchanged' },
      },
    ],
    expect: { ct: [] },
  },
  {
    name: 'session affinity: a new flow goes to the client’s last backend',
    why: 'two backends; the jumpbox was given backend 4 (the local pod) 100 s ago, within the 300 s timeout: its new connection goes there again',
    setup: {
      ...on,
      frontends: [
        {
          ...frontend(LB_IP, 80, routable | SvcFlag.AFFINITY, [
            { id: 3, address: REMOTE, port: 80 },
            { id: 4, address: POD.ipv4, port: 80 },
          ]),
          affinityS: 300,
        },
      ],
      affinity: [{ client: JB, revNat: 7, backendId: 4, ageSec: 100 }],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40001, LB_IP, 80),
        expect: { verdict: TcAct.OK, frame: arrives(JB, 40001, POD.ipv4, 80) },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${JB}:40001 -> ${LB_IP}:80 [nodePort] BackendID=4`,
        `TCP IN ${POD.ipv4}:80 -> ${JB}:40001 [nodePort] XLATE_SRC ${LB_IP}:80`,
      ],
    },
  },
  {
    name: 'session affinity: an expired entry is not followed',
    why: 'the entry is 400 s old with a 300 s timeout; the only backend left in the slots (3) gets the flow and the entry is renewed for it',
    setup: {
      ...on,
      frontends: [
        {
          ...frontend(LB_IP, 80, routable | SvcFlag.AFFINITY, [{ id: 3, address: REMOTE, port: 80 }]),
          affinityS: 300,
        },
        // backend 4 still exists (another service's), so only the timeout can turn it away
        { ...frontend('10.0.10.9', 80, routable, [{ id: 4, address: POD.ipv4, port: 80 }]), revNat: 9 },
      ],
      affinity: [{ client: JB, revNat: 7, backendId: 4, ageSec: 400 }],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40002, LB_IP, 80),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40002, REMOTE, 80) },
      },
    ],
    expect: remoteFlow(40002),
  },
  {
    name: 'conntrack full: new flows still go through',
    why: 'waggle_ct4_global sized 64 and 200 new connections from the jumpbox: every SYN is translated (the LRU map evicts the oldest flows), the map never holds more than its size',
    setup: {
      ...on,
      ctSizes: { ct4Tcp: 64, ct4Any: 64 },
      frontends: [frontend(LB_IP, 80, routable, [{ id: 4, address: POD.ipv4, port: 80 }])],
    },
    steps: Array.from({ length: 200 }, (_, i) => ({
      program: 'fromNetdev' as const,
      frame: arrives(JB, 20000 + i, LB_IP, 80),
      expect: { verdict: TcAct.OK, frame: arrives(JB, 20000 + i, POD.ipv4, 80) },
    })),
    expect: { ctAtMost: 64 },
  },
];

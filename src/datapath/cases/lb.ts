// The per-packet service LB, case by case (bpf/lib/lb4.h, nodeport.h; Cilium's lb4_local,
// nodeport_lb4 in SNAT mode, lb4_rev_nat): traffic from outside to LoadBalancer IPs and NodePorts,
// pods to a ClusterIP per packet, hairpin. Each case follows a flow through the programs it
// crosses and ends with the conntrack and NAT entries it left. Addresses in lb-frames.ts.
import { TcAct } from '../../bpf/index.js';
import { DropReason } from '../maps/drops.js';
import { SvcFlag } from '../maps/lb4-services.js';
import type { HostPathCase } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { POD } from '../testing/lxc-case.js';
import {
  ACK,
  arrives,
  frontend,
  intoPod,
  JB,
  LB_IP,
  LOOPBACK,
  on,
  podSends,
  REMOTE,
  remoteFlow,
  routable,
  SYNACK,
  toPeer,
} from './lb-frames.js';

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
];

// Backends whose pods are terminating (bpf/lib/lb4.h, lb_affinity.h; Cilium's lb4_local): a
// terminating backend is in waggle_lb4_backends_v3 with its state but in no slot. Its established
// flows keep going to it; a new connection never does, even when it reuses a tuple whose
// conntrack entry still names it (a client's ports wrap within the close timeout) or when
// session affinity remembers it.
import { TcAct } from '../../bpf/index.js';
import { BackendState } from '../maps/lb4-backends.js';
import { SvcFlag } from '../maps/lb4-services.js';
import type { HostPathCase } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { POD } from '../testing/lxc-case.js';
import { ACK, arrives, frontend, JB, LB_IP, on, REMOTE, remoteFlow, routable, toPeer } from './lb-frames.js';

const FIN = { tcpFlags: 0x11 };

const terminating = BackendState.terminating;

/** The LoadBalancer frontend once backend 3 (REMOTE) is terminating and 4 (the local pod) serves. */
const drained = frontend(LB_IP, 80, routable, [
  { id: 3, address: REMOTE, port: 80, state: terminating },
  { id: 4, address: POD.ipv4, port: 80 },
]);

export const lbLifecycleCases: HostPathCase[] = [
  {
    name: 'a SYN reusing a closed flow’s tuple opens its entries again',
    why: 'the jumpbox closes a flow to backend 3 and its port comes round again: the SYN goes to the same (active) backend through the same NAT port, and neither the conntrack entries nor the NAT mapping stay closing — else the new connection would lose them after the close timeout',
    setup: { ...on, frontends: [frontend(LB_IP, 80, routable, [{ id: 3, address: REMOTE, port: 80 }])] },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80) },
      },
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80, FIN),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80, FIN) },
      },
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80) },
      },
    ],
    // Made anew by overwriting: still two entries made, none evicted.
    expect: { ...remoteFlow(40000), ctStats: { made: 2, evicted: 0 } },
  },
  {
    name: 'terminating backend: its flow goes on, a SYN on the same tuple picks an active one',
    why: 'the flow starts on backend 3; its pod turns terminating (state set, slot gone, 4 serves): the next ACK still goes to 3, a SYN reusing the client port is a new connection and goes to 4',
    setup: { ...on, frontends: [frontend(LB_IP, 80, routable, [{ id: 3, address: REMOTE, port: 80 }])] },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80) },
      },
      {
        program: 'fromNetdev',
        before: { frontends: [drained] },
        frame: arrives(JB, 40000, LB_IP, 80, ACK),
        expect: { verdict: TcAct.REDIRECT, frame: toPeer(NODE.ip, 40000, REMOTE, 80, ACK) },
      },
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40000, LB_IP, 80),
        expect: { verdict: TcAct.OK, frame: arrives(JB, 40000, POD.ipv4, 80) },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${JB}:40000 -> ${LB_IP}:80 [nodePort] BackendID=4`,
        `TCP IN ${POD.ipv4}:80 -> ${JB}:40000 [nodePort] XLATE_SRC ${LB_IP}:80`,
        // The old flow's reply entry stays until it expires: late replies still translate.
        `TCP IN ${REMOTE}:80 -> ${JB}:40000 [nodePort] XLATE_SRC ${LB_IP}:80`,
      ],
      snat: [
        `TCP OUT ${JB}:40000 -> ${REMOTE}:80 XLATE_SRC ${NODE.ip}:40000`,
        `TCP IN ${REMOTE}:80 -> ${NODE.ip}:40000 XLATE_DST ${JB}:40000`,
      ],
    },
  },
  {
    name: 'terminating backend: session affinity does not send a new connection to it',
    why: 'the jumpbox was last given backend 3, now terminating: its new connection goes to the active backend 4, and the affinity entry follows',
    setup: {
      ...on,
      frontends: [{ ...drained, flags: routable | SvcFlag.AFFINITY, affinityS: 300 }],
      affinity: [{ client: JB, revNat: 7, backendId: 3, ageSec: 5 }],
    },
    steps: [
      {
        program: 'fromNetdev',
        frame: arrives(JB, 40001, LB_IP, 80),
        expect: { verdict: TcAct.OK, frame: arrives(JB, 40001, POD.ipv4, 80) },
      },
      {
        // A second connection: the renewed entry names backend 4 now.
        program: 'fromNetdev',
        frame: arrives(JB, 40002, LB_IP, 80),
        expect: { verdict: TcAct.OK, frame: arrives(JB, 40002, POD.ipv4, 80) },
      },
    ],
    expect: {
      ct: [
        `TCP SERVICE ${JB}:40001 -> ${LB_IP}:80 [nodePort] BackendID=4`,
        `TCP IN ${POD.ipv4}:80 -> ${JB}:40001 [nodePort] XLATE_SRC ${LB_IP}:80`,
        `TCP SERVICE ${JB}:40002 -> ${LB_IP}:80 [nodePort] BackendID=4`,
        `TCP IN ${POD.ipv4}:80 -> ${JB}:40002 [nodePort] XLATE_SRC ${LB_IP}:80`,
      ],
    },
  },
];

// The service LB's per-Service options, case by case: loadBalancerSourceRanges,
// externalTrafficPolicy=Local (two scopes), NodePorts reached from inside, session affinity,
// and a full conntrack map. Addresses and frames in lb-frames.ts.
import { TcAct } from '../../bpf/index.js';
import { DropReason } from '../maps/drops.js';
import { SvcFlag, SvcFlag2 } from '../maps/lb4-services.js';
import type { HostPathCase } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { POD } from '../testing/lxc-case.js';
import {
  arrives,
  frontend,
  JB,
  LB_IP,
  on,
  podSends,
  REMOTE,
  remoteFlow,
  routable,
  SYNACK,
  toPeer,
} from './lb-frames.js';

export const lbPolicyCases: HostPathCase[] = [
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
    why: 'waggle_ct4_global sized 64 and 200 new connections from the jumpbox: every SYN is translated (the LRU map evicts the oldest flows), the map never holds more than its size, and the evictions are counted',
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
    // Two entries per flow, each counted once as made; all but the 64 the map holds were evicted.
    expect: { ctAtMost: 64, ctStats: { made: 400, evicted: 336 } },
  },
];

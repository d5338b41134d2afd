// eBPF masquerading without a conntrack: when a flow's port may serve another (Cilium frees it
// with the flow's CT entry; waggle ages the NAT entries themselves, bpf/lib/nat.h). Same node,
// pod and narrowed port range as nat.ts.
import { TcAct } from '../../bpf/index.js';
import type { HostPathCase } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { PROTO } from '../testing/l4-frames.js';
import { POD } from '../testing/lxc-case.js';
import { JB, masq, out, outOf, reply, takenBy, takenRow, tcpRows } from './nat.js';

export const natReuseCases: HostPathCase[] = [
  {
    name: 'a closed flow’s port is taken over',
    why: 'the flow holding 61003 closed (FIN/RST) more than 2 s ago: its port and both its entries go to the new flow',
    setup: { ...masq, snat: [takenBy(61003, '10.200.1.77', { closedSec: 5 }), outOf(61003)] },
    steps: [
      { program: 'toNetdev', frame: out(), expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip }) } },
    ],
    expect: { snat: tcpRows(61003) },
  },
  {
    name: 'a flow closed just now keeps its port',
    why: 'a FIN 0 s ago: the other end may still answer it, so the next port',
    setup: { ...masq, snat: [takenBy(61003, '10.200.1.77', { closedSec: 0 })] },
    steps: [
      {
        program: 'toNetdev',
        frame: out(),
        expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip, sport: 61004 }) },
      },
    ],
    expect: { snat: [`${takenRow(61003)} closing`, ...tcpRows(61004)] },
  },
  {
    name: 'an idle UDP flow’s port is taken over',
    why: 'no packet for 120 s (Cilium’s non-TCP lifetime is 60 s): the port is free again',
    setup: {
      ...masq,
      snat: [
        {
          key: { nexthdr: PROTO.UDP, dir: 'IN', saddr: JB, sport: 53, daddr: NODE.ip, dport: 61003 },
          value: { needsCt: false, toAddr: '10.200.1.77', toPort: 5353 },
          idleSec: 120,
        },
      ],
    },
    steps: [
      {
        program: 'toNetdev',
        frame: out({ proto: PROTO.UDP, dport: 53 }),
        expect: { verdict: TcAct.OK, frame: out({ proto: PROTO.UDP, dport: 53, src: NODE.ip }) },
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
    name: 'FIN from the server marks the flow closing',
    why: 'a reply FIN is translated and marks the IN entry, whose port a later flow may then reuse',
    setup: masq,
    steps: [
      { program: 'toNetdev', frame: out(), expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip }) } },
      {
        program: 'fromNetdev',
        frame: reply({ tcpFlags: 0x11 }),
        expect: { verdict: TcAct.OK, frame: reply({ tcpFlags: 0x11, dst: POD.ipv4 }) },
      },
    ],
    expect: { snat: [tcpRows(61003)[0] as string, `${tcpRows(61003)[1]} closing`] },
  },
  {
    name: 'RST from the pod marks the flow closing',
    why: 'a pod’s RST through an existing mapping marks its IN entry too',
    setup: masq,
    steps: [
      { program: 'toNetdev', frame: out(), expect: { verdict: TcAct.OK, frame: out({ src: NODE.ip }) } },
      {
        program: 'toNetdev',
        frame: out({ tcpFlags: 0x14 }),
        expect: { verdict: TcAct.OK, frame: out({ tcpFlags: 0x14, src: NODE.ip }) },
      },
    ],
    expect: { snat: [`${tcpRows(61003)[0]} closing`, `${tcpRows(61003)[1]} closing`] },
  },
];

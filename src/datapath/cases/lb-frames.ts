// The addresses, frontends and frames the service LB cases (lb.ts, lb-policies.ts) share: the
// node is NODE (eth1, 10.98.0.21), the client outside is the jumpbox, the remote backend a pod
// behind the other node (10.200.2.7, its MAC known) and the local backend POD.
import { SvcFlag } from '../maps/lb4-services.js';
import type { LbFrontend } from '../testing/host-path-case.js';
import { NODE } from '../testing/host-path-netns.js';
import { type L4Fields, l4Packet, PROTO } from '../testing/l4-frames.js';
import { POD } from '../testing/lxc-case.js';

export const JB = NODE.jumpbox;
export const LB_IP = '10.0.10.0';
export const REMOTE = '10.200.2.7';
export const LOOPBACK = '169.254.42.1';
export const on = { lb: { perPacket: true, nodePort: true } };
export const routable = SvcFlag.LOADBALANCER | SvcFlag.ROUTABLE;

export const frontend = (
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

/** TCP segments between two MACs (`ttl` when set): (src, sport, dst, dport, overrides) → frame. */
const tcpBetween =
  (ethDst: string, ethSrc: string, ttl?: number) =>
  (src: string, sport: number, dst: string, dport: number, over: Partial<L4Fields> = {}) =>
    l4Packet({ ethDst, ethSrc, src, dst, proto: PROTO.TCP, sport, dport, ...(ttl ? { ttl } : {}), ...over });

/** A TCP segment arriving on eth1 (from the jumpbox or the other node). */
export const arrives = tcpBetween(NODE.mac, NODE.peerMac);
/** A TCP segment the pod sends. */
export const podSends = tcpBetween(POD.lxcMac, POD.podMac);
/** To the other node, as the FIB redirect leaves it: its MAC, ours, TTL − 1. */
export const toPeer = tcpBetween(NODE.peerMac, NODE.mac, 63);
/** Into the pod by local delivery: its MAC, the lxc's, TTL − 1. */
export const intoPod = tcpBetween(POD.podMac, POD.lxcMac, 63);

export const SYNACK = { tcpFlags: 0x12 };
export const ACK = { tcpFlags: 0x10 };

/** What the jumpbox's flow from `sport` to the LoadBalancer IP leaves when backend 3 (remote) took it. */
export const remoteFlow = (sport: number) => ({
  ct: [
    `TCP SERVICE ${JB}:${sport} -> ${LB_IP}:80 [nodePort] BackendID=3`,
    `TCP IN ${REMOTE}:80 -> ${JB}:${sport} [nodePort] XLATE_SRC ${LB_IP}:80`,
  ],
  snat: [
    `TCP OUT ${JB}:${sport} -> ${REMOTE}:80 XLATE_SRC ${NODE.ip}:${sport}`,
    `TCP IN ${REMOTE}:80 -> ${NODE.ip}:${sport} XLATE_DST ${JB}:${sport}`,
  ],
});

// A minimal dissector of a captured payload, enough for `cilium-dbg monitor`'s one-line summary
// (Cilium's GetConnectionSummary, pkg/monitor/dissect.go): Ethernet → IPv4 → TCP/UDP/ICMP, and
// ARP. Pure; a truncated layer is simply absent, never an error.
import { ipv4 } from './decode.js';

export interface EthernetLayer {
  src: string;
  dst: string;
  etherType: number;
}
export interface Ipv4Layer {
  src: string;
  dst: string;
  protocol: number;
  ttl: number;
  length: number;
  id: number;
}
export interface TcpLayer {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Set flags in Cilium's print order: SYN, ACK, RST, FIN, PSH, URG, ECE, CWR, NS. */
  flags: string[];
}
export interface UdpLayer {
  srcPort: number;
  dstPort: number;
  length: number;
}
export interface IcmpLayer {
  type: number;
  code: number;
}
export interface ArpLayer {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export interface Packet {
  eth?: EthernetLayer;
  ipv4?: Ipv4Layer;
  tcp?: TcpLayer;
  udp?: UdpLayer;
  icmp?: IcmpLayer;
  arp?: ArpLayer;
}

export const EtherType = { IPv4: 0x0800, ARP: 0x0806, IPv6: 0x86dd, Dot1Q: 0x8100 } as const;
const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17 } as const;

export function dissect(data: Buffer): Packet {
  const pkt: Packet = {};
  if (data.length < 14) return pkt;
  pkt.eth = { dst: mac(data, 0), src: mac(data, 6), etherType: data.readUInt16BE(12) };
  if (pkt.eth.etherType === EtherType.ARP && data.length >= 14 + 28) {
    pkt.arp = {
      op: data.readUInt16BE(20),
      senderMac: mac(data, 22),
      senderIp: ipv4(data, 28),
      targetMac: mac(data, 32),
      targetIp: ipv4(data, 38),
    };
  }
  if (pkt.eth.etherType !== EtherType.IPv4 || data.length < 14 + 20) return pkt;
  const ihl = ((data[14] ?? 0) & 0x0f) * 4;
  if ((data[14] ?? 0) >> 4 !== 4 || ihl < 20) return pkt;
  const protocol = data[23] ?? 0;
  pkt.ipv4 = {
    src: ipv4(data, 26),
    dst: ipv4(data, 30),
    protocol,
    ttl: data[22] ?? 0,
    length: data.readUInt16BE(16),
    id: data.readUInt16BE(18),
  };
  const l4 = 14 + ihl;
  // A non-first fragment carries no L4 header.
  if ((data.readUInt16BE(20) & 0x1fff) !== 0) return pkt;
  if (protocol === IPPROTO.TCP && data.length >= l4 + 20) {
    pkt.tcp = {
      srcPort: data.readUInt16BE(l4),
      dstPort: data.readUInt16BE(l4 + 2),
      seq: data.readUInt32BE(l4 + 4),
      ack: data.readUInt32BE(l4 + 8),
      flags: tcpFlags((((data[l4 + 12] ?? 0) & 1) << 8) | (data[l4 + 13] ?? 0)),
    };
  } else if (protocol === IPPROTO.UDP && data.length >= l4 + 8) {
    pkt.udp = {
      srcPort: data.readUInt16BE(l4),
      dstPort: data.readUInt16BE(l4 + 2),
      length: data.readUInt16BE(l4 + 4),
    };
  } else if (protocol === IPPROTO.ICMP && data.length >= l4 + 2) {
    pkt.icmp = { type: data[l4] ?? 0, code: data[l4 + 1] ?? 0 };
  }
  return pkt;
}

// Bit of each flag in the 9-bit field (NS is bit 8), in the order Cilium prints them.
const TCP_FLAGS: ReadonlyArray<[string, number]> = [
  ['SYN', 0x002],
  ['ACK', 0x010],
  ['RST', 0x004],
  ['FIN', 0x001],
  ['PSH', 0x008],
  ['URG', 0x020],
  ['ECE', 0x040],
  ['CWR', 0x080],
  ['NS', 0x100],
];

function tcpFlags(bits: number): string[] {
  return TCP_FLAGS.filter(([, bit]) => bits & bit).map(([name]) => name);
}

function mac(buf: Buffer, offset: number): string {
  return [...buf.subarray(offset, offset + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function etherTypeName(t: number): string {
  const name = Object.entries(EtherType).find(([, v]) => v === t)?.[0];
  return name ?? `0x${t.toString(16).padStart(4, '0')}`;
}

// ICMPv4 type and code names as gopacket prints them (ICMPv4TypeCode.String()).
const ICMP_TYPES: ReadonlyMap<number, { name: string; codes?: readonly string[] }> = new Map([
  [0, { name: 'EchoReply' }],
  [
    3,
    {
      name: 'DestinationUnreachable',
      codes: [
        'Net',
        'Host',
        'Protocol',
        'Port',
        'FragmentationNeeded',
        'SourceRoutingFailed',
        'NetUnknown',
        'HostUnknown',
        'SourceIsolated',
        'NetAdminProhibited',
        'HostAdminProhibited',
        'NetTOS',
        'HostTOS',
        'CommAdminProhibited',
        'HostPrecedence',
        'PrecedenceCutoff',
      ],
    },
  ],
  [4, { name: 'SourceQuench' }],
  [5, { name: 'Redirect', codes: ['Network', 'Host', 'TOS+Network', 'TOS+Host'] }],
  [8, { name: 'EchoRequest' }],
  [9, { name: 'RouterAdvertisement' }],
  [10, { name: 'RouterSolicitation' }],
  [11, { name: 'TimeExceeded', codes: ['TTLExceeded', 'FragmentReassemblyTimeExceeded'] }],
  [12, { name: 'ParameterProblem', codes: ['PointerIndicatesError', 'MissingOption', 'BadLength'] }],
  [13, { name: 'Timestamp' }],
  [14, { name: 'TimestampReply' }],
]);

export function icmpName(type: number, code: number): string {
  const info = ICMP_TYPES.get(type);
  if (!info) return `${type}(${code})`;
  if (!info.codes) return code === 0 ? info.name : `${info.name}(Code: ${code})`;
  const codeName = info.codes[code];
  return codeName ? `${info.name}(${codeName})` : `${info.name}(Code: ${code})`;
}

/**
 * The connection summary after the colon of a monitor line: "10.0.0.1:33690 -> 10.0.0.2:80 tcp
 * SYN", "10.0.0.1 -> 10.0.0.2 EchoRequest", or for a frame without IPv4 "src-mac -> dst-mac ARP".
 */
export function connectionSummary(pkt: Packet): string {
  const ip = pkt.ipv4;
  if (ip && pkt.icmp) return `${ip.src} -> ${ip.dst} ${icmpName(pkt.icmp.type, pkt.icmp.code)}`;
  if (ip && pkt.tcp)
    return `${ip.src}:${pkt.tcp.srcPort} -> ${ip.dst}:${pkt.tcp.dstPort} tcp ${pkt.tcp.flags.join(', ')}`;
  if (ip && pkt.udp) return `${ip.src}:${pkt.udp.srcPort} -> ${ip.dst}:${pkt.udp.dstPort} udp`;
  if (ip) return `${ip.src} -> ${ip.dst}`;
  if (pkt.eth) return `${pkt.eth.src} -> ${pkt.eth.dst} ${etherTypeName(pkt.eth.etherType)}`;
  return '[unknown]';
}

/** ARP in words, for the verbose dump: "request who-has 10.0.0.1 tell 10.0.0.2". */
export function arpSummary(arp: ArpLayer): string {
  if (arp.op === 1) return `request who-has ${arp.targetIp} tell ${arp.senderIp}`;
  if (arp.op === 2) return `reply ${arp.senderIp} is-at ${arp.senderMac}`;
  return `op ${arp.op} ${arp.senderIp} -> ${arp.targetIp}`;
}

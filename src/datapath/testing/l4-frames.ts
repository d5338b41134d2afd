// TCP, UDP and ICMP echo frames for the NAT and host-routing cases, every checksum computed here
// from its RFC definition (RFC 791 header, RFC 793/768 pseudo-header sums, RFC 792 ICMP), never
// from a program's output — so a translated frame built here is an independent statement of
// what incremental checksum updates must produce.
import { writeIpv4 } from '../../bpf/codec-fields.js';
import { ETH_P_IP, ethHeader } from './frames.js';
import { ipv4Checksum } from './lxc-frames.js';

export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, GRE: 47 } as const;

export interface L4Fields {
  ethDst: string;
  ethSrc: string;
  src: string;
  dst: string;
  proto: number;
  /** TCP/UDP ports; for ICMP, sport is the echo identifier. */
  sport?: number;
  dport?: number;
  /** ICMP type: 8 echo request (default), 0 echo reply. */
  icmpType?: number;
  ttl?: number;
  /** IPv4 flags + fragment offset word (default 0x4000, DF). */
  fragWord?: number;
  /** UDP only: send without a checksum (0), as RFC 768 allows. */
  noUdpChecksum?: boolean;
  /** TCP flags byte (default SYN). */
  tcpFlags?: number;
}

function sum16(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += (buf[buf.length - 1] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function l4Header(f: L4Fields): Buffer {
  const payload = Buffer.from('waggle-nat-case!');
  if (f.proto === PROTO.TCP) {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(f.sport ?? 0, 0);
    h.writeUInt16BE(f.dport ?? 0, 2);
    h.writeUInt32BE(0x01020304, 4);
    h.writeUInt8(5 << 4, 12);
    h.writeUInt8(f.tcpFlags ?? 0x02, 13);
    h.writeUInt16BE(64240, 14);
    return Buffer.concat([h, payload]);
  }
  if (f.proto === PROTO.UDP) {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(f.sport ?? 0, 0);
    h.writeUInt16BE(f.dport ?? 0, 2);
    h.writeUInt16BE(8 + payload.length, 4);
    return Buffer.concat([h, payload]);
  }
  if (f.proto === PROTO.ICMP) {
    const h = Buffer.alloc(8);
    h.writeUInt8(f.icmpType ?? 8, 0);
    h.writeUInt16BE(f.sport ?? 0, 4);
    h.writeUInt16BE(1, 6); // sequence
    return Buffer.concat([h, payload]);
  }
  return Buffer.concat([Buffer.alloc(4), payload]); // GRE-ish: no ports
}

export function l4Packet(f: L4Fields): Buffer {
  const l4 = l4Header(f);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + l4.length, 2);
  ip.writeUInt16BE(0x4321, 4);
  ip.writeUInt16BE(f.fragWord ?? 0x4000, 6);
  ip.writeUInt8(f.ttl ?? 64, 8);
  ip.writeUInt8(f.proto, 9);
  writeIpv4(ip, 12, f.src, 'frame', 'ip.src');
  writeIpv4(ip, 16, f.dst, 'frame', 'ip.dst');
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  if (f.proto === PROTO.TCP || (f.proto === PROTO.UDP && !f.noUdpChecksum)) {
    const pseudo = Buffer.alloc(12);
    ip.copy(pseudo, 0, 12, 20);
    pseudo.writeUInt8(f.proto, 9);
    pseudo.writeUInt16BE(l4.length, 10);
    let csum = ~sum16(l4, sum16(pseudo)) & 0xffff;
    if (f.proto === PROTO.UDP && csum === 0) csum = 0xffff;
    l4.writeUInt16BE(csum, f.proto === PROTO.TCP ? 16 : 6);
  } else if (f.proto === PROTO.ICMP) {
    l4.writeUInt16BE(~sum16(l4) & 0xffff, 2);
  }
  return Buffer.concat([ethHeader(f.ethDst, f.ethSrc, ETH_P_IP), ip, l4]);
}

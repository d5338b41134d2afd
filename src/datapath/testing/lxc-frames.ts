// IPv4 frames for the pod datapath tests, with a header checksum computed here from the RFC 791
// definition (never taken from the program's output), so "checksum valid" is an independent check.
import { writeIpv4 } from '../../bpf/codec-fields.js';
import { ETH_P_IP, ethHeader } from './frames.js';

export interface Ipv4Fields {
  ethDst: string;
  ethSrc: string;
  src: string;
  dst: string;
  ttl?: number;
  /** Bytes after the 20-byte header. */
  payload?: number;
}

/** The one's-complement sum of the header's 16-bit words, complemented (RFC 791). */
export function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < header.length; i += 2) if (i !== 10) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipv4Packet(f: Ipv4Fields): Buffer {
  const payload = f.payload ?? 26;
  const ip = Buffer.alloc(20 + payload, 0x5a);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt8(0, 1);
  ip.writeUInt16BE(20 + payload, 2);
  ip.writeUInt32BE(0x12340000, 4); // id, no fragment flags
  ip.writeUInt8(f.ttl ?? 64, 8);
  ip.writeUInt8(17, 9);
  ip.writeUInt16BE(0, 10);
  writeIpv4(ip, 12, f.src, 'frame', 'ip.src');
  writeIpv4(ip, 16, f.dst, 'frame', 'ip.dst');
  ip.writeUInt16BE(ipv4Checksum(ip.subarray(0, 20)), 10);
  return Buffer.concat([ethHeader(f.ethDst, f.ethSrc, ETH_P_IP), ip]);
}

// Frames for datapath tests, built field by field from what they mean, never from the program's
// output, so an expected reply is an independent statement of Cilium's ARP reply layout.
import { readIpv4, readMac, writeIpv4, writeMac } from '../../bpf/codec-fields.js';

export const BROADCAST = 'ff:ff:ff:ff:ff:ff';
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ARP_FRAME_LEN = 42;

/** Frames BPF_PROG_TEST_RUN refuses with EINVAL: an L3 header the kernel cannot pull (it reads
 * the IPv4 or IPv6 header of a tc test frame before the program runs). */
export const refusedByKernel = (f: Buffer): boolean =>
  (f.readUInt16BE(12) === ETH_P_IP && f.length < 34) || (f.readUInt16BE(12) === ETH_P_IPV6 && f.length < 54);

export interface ArpFields {
  ethDst: string;
  ethSrc: string;
  op?: number;
  hrd?: number;
  pro?: number;
  hln?: number;
  pln?: number;
  sha: string;
  sip: string;
  tha?: string;
  tip: string;
  /** Total frame length; bytes after 42 are filled with `padByte` (real ARP is padded to 60). */
  length?: number;
  padByte?: number;
}

export function ethHeader(dst: string, src: string, ethertype: number): Buffer {
  const b = Buffer.alloc(14);
  writeMac(b, 0, dst, 'frame', 'eth.dst');
  writeMac(b, 6, src, 'frame', 'eth.src');
  b.writeUInt16BE(ethertype, 12);
  return b;
}

export function arpFrame(f: ArpFields): Buffer {
  const b = Buffer.alloc(Math.max(f.length ?? ARP_FRAME_LEN, ARP_FRAME_LEN), f.padByte ?? 0);
  ethHeader(f.ethDst, f.ethSrc, ETH_P_ARP).copy(b, 0);
  b.writeUInt16BE(f.hrd ?? 1, 14);
  b.writeUInt16BE(f.pro ?? ETH_P_IP, 16);
  b.writeUInt8(f.hln ?? 6, 18);
  b.writeUInt8(f.pln ?? 4, 19);
  b.writeUInt16BE(f.op ?? 1, 20);
  writeMac(b, 22, f.sha, 'frame', 'arp.sha');
  writeIpv4(b, 28, f.sip, 'frame', 'arp.sip');
  writeMac(b, 32, f.tha ?? '00:00:00:00:00:00', 'frame', 'arp.tha');
  writeIpv4(b, 38, f.tip, 'frame', 'arp.tip');
  return f.length !== undefined && f.length < ARP_FRAME_LEN ? b.subarray(0, f.length) : b;
}

/**
 * The reply Cilium's responder makes of `request` on a device with MAC `deviceMac`: addressed to
 * the request's Ethernet source (not ar_sha), "tip is-at deviceMac", everything else kept.
 */
export function expectedArpReply(request: Buffer, deviceMac: string): Buffer {
  const requester = readMac(request, 6);
  const reply = Buffer.from(request);
  writeMac(reply, 0, requester, 'frame', 'eth.dst');
  writeMac(reply, 6, deviceMac, 'frame', 'eth.src');
  reply.writeUInt16BE(2, 20);
  writeMac(reply, 22, deviceMac, 'frame', 'arp.sha');
  writeIpv4(reply, 28, readIpv4(request, 38), 'frame', 'arp.sip');
  writeMac(reply, 32, requester, 'frame', 'arp.tha');
  writeIpv4(reply, 38, readIpv4(request, 28), 'frame', 'arp.tip');
  return reply;
}

/** A minimal IPv4/UDP frame (the program must not care what is inside). */
export function ipv4Frame(dst: string, src: string): Buffer {
  const ip = Buffer.alloc(28);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(28, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(17, 9);
  writeIpv4(ip, 12, '10.0.10.1', 'frame', 'ip.src');
  writeIpv4(ip, 16, '10.0.10.0', 'frame', 'ip.dst');
  return Buffer.concat([ethHeader(dst, src, ETH_P_IP), ip, Buffer.alloc(18, 0xa5)]);
}

/** A minimal IPv6 frame carrying an ICMPv6 neighbour solicitation header (type 135). */
export function ipv6Frame(dst: string, src: string): Buffer {
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(24, 4);
  ip.writeUInt8(58, 6); // next header ICMPv6
  ip.writeUInt8(255, 7);
  ip.fill(0xfe, 8, 24);
  ip.fill(0x02, 24, 40);
  const icmp = Buffer.alloc(24);
  icmp.writeUInt8(135, 0);
  return Buffer.concat([ethHeader(dst, src, ETH_P_IPV6), ip, icmp]);
}

/** An ARP request carried inside an in-band 802.1Q tag (VLAN 10). */
export function vlanArpFrame(f: ArpFields): Buffer {
  const inner = arpFrame(f);
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(ETH_P_8021Q, 0);
  tag.writeUInt16BE(10, 2);
  return Buffer.concat([inner.subarray(0, 12), tag, inner.subarray(12)]);
}

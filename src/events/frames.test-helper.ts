// Frames and records for the events tests, built byte by byte from the published layouts
// (Ethernet, IPv4, TCP/UDP/ICMP, ARP; bpf/lib/notify.h through layout.ts).
import { COMMON, DROP, NotifyType, TRACE, TRACE_PAYLOAD_LEN } from './layout.js';

const macBytes = (m: string) => Buffer.from(m.replaceAll(':', ''), 'hex');
const ipBytes = (ip: string) => Buffer.from(ip.split('.').map(Number));

export interface L4 {
  proto: 'tcp' | 'udp' | 'icmp';
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** TCP flag bits (SYN 0x02, ACK 0x10, …) or, for ICMP, [type, code] packed as type << 8 | code. */
  bits?: number;
}

export function ipv4Packet(l4: L4): Buffer {
  const eth = Buffer.concat([
    macBytes('0a:58:0a:f4:01:6a'),
    macBytes('0a:58:0a:f4:01:d3'),
    Buffer.from([8, 0]),
  ]);
  const l4len = l4.proto === 'tcp' ? 20 : 8;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + l4len, 2);
  ip.writeUInt16BE(0x1234, 4);
  ip.writeUInt16BE(0x4000, 6); // DF, offset 0
  ip[8] = 63;
  ip[9] = l4.proto === 'tcp' ? 6 : l4.proto === 'udp' ? 17 : 1;
  ipBytes(l4.src).copy(ip, 12);
  ipBytes(l4.dst).copy(ip, 16);
  const seg = Buffer.alloc(l4len);
  if (l4.proto === 'icmp') {
    seg[0] = (l4.bits ?? 0) >> 8;
    seg[1] = (l4.bits ?? 0) & 0xff;
  } else {
    seg.writeUInt16BE(l4.sport ?? 0, 0);
    seg.writeUInt16BE(l4.dport ?? 0, 2);
    if (l4.proto === 'tcp') {
      seg.writeUInt32BE(1000, 4);
      seg[12] = 0x50 | (((l4.bits ?? 0) >> 8) & 1);
      seg[13] = (l4.bits ?? 0) & 0xff;
    } else seg.writeUInt16BE(8, 4);
  }
  return Buffer.concat([eth, ip, seg]);
}

export function arpRequest(senderIp: string, targetIp: string): Buffer {
  const eth = Buffer.concat([
    macBytes('ff:ff:ff:ff:ff:ff'),
    macBytes('02:00:00:00:0b:02'),
    Buffer.from([8, 6]),
  ]);
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(1, 0);
  arp.writeUInt16BE(0x0800, 2);
  arp[4] = 6;
  arp[5] = 4;
  arp.writeUInt16BE(1, 6);
  macBytes('02:00:00:00:0b:02').copy(arp, 8);
  ipBytes(senderIp).copy(arp, 14);
  ipBytes(targetIp).copy(arp, 24);
  return Buffer.concat([eth, arp]);
}

interface Header {
  subtype: number;
  source: number;
  hash: number;
  lenOrig?: number;
}

function record(type: number, bodySize: number, h: Header, payload: Buffer, version: number): Buffer {
  const rec = Buffer.alloc(bodySize + TRACE_PAYLOAD_LEN);
  const cap = Math.min(payload.length, TRACE_PAYLOAD_LEN);
  rec.writeUInt8(type, COMMON.type);
  rec.writeUInt8(h.subtype, COMMON.subtype);
  rec.writeUInt16LE(h.source, COMMON.source);
  rec.writeUInt32LE(h.hash, COMMON.hash);
  rec.writeUInt32LE(h.lenOrig ?? payload.length, COMMON.len_orig);
  rec.writeUInt16LE(cap, COMMON.len_cap);
  rec.writeUInt8(version, COMMON.version);
  payload.copy(rec, bodySize, 0, cap);
  return rec;
}

export interface TraceFields extends Header {
  srcLabel: number;
  dstLabel: number;
  dstId: number;
  reason: number;
  flags?: number;
  ifindex: number;
  origIp: string;
  ipTraceId?: bigint;
}

export function traceRecord(f: TraceFields, payload: Buffer): Buffer {
  const rec = record(NotifyType.TRACE, TRACE.size, f, payload, 2);
  rec.writeUInt32LE(f.srcLabel, TRACE.src_label);
  rec.writeUInt32LE(f.dstLabel, TRACE.dst_label);
  rec.writeUInt16LE(f.dstId, TRACE.dst_id);
  rec.writeUInt8(f.reason, TRACE.reason);
  rec.writeUInt8(f.flags ?? 0, TRACE.flags);
  rec.writeUInt32LE(f.ifindex, TRACE.ifindex);
  if (f.origIp.includes('.')) ipBytes(f.origIp).copy(rec, TRACE.orig_ip);
  rec.writeBigUInt64LE(f.ipTraceId ?? 0n, TRACE.ip_trace_id);
  return rec;
}

export interface DropFields extends Header {
  srcLabel: number;
  dstLabel: number;
  dstId: number;
  line: number;
  file: number;
  extError?: number;
  ifindex: number;
  flags?: number;
}

export function dropRecord(f: DropFields, payload: Buffer): Buffer {
  const rec = record(NotifyType.DROP, DROP.size, f, payload, 3);
  rec.writeUInt32LE(f.srcLabel, DROP.src_label);
  rec.writeUInt32LE(f.dstLabel, DROP.dst_label);
  rec.writeUInt32LE(f.dstId, DROP.dst_id);
  rec.writeUInt16LE(f.line, DROP.line);
  rec.writeUInt8(f.file, DROP.file);
  rec.writeInt8(f.extError ?? 0, DROP.ext_error);
  rec.writeUInt32LE(f.ifindex, DROP.ifindex);
  rec.writeUInt8(f.flags ?? 0, DROP.flags);
  return rec;
}

export const SYN = 0x02;
export const ACK = 0x10;

/** The trace of Cilium's reference line: a SYN to endpoint 1447 through lxca66c1279a1ef. */
export const referenceTrace: TraceFields = {
  subtype: 0,
  source: 1447,
  hash: 0xdf31e3c3,
  srcLabel: 6848,
  dstLabel: 7392,
  dstId: 1447,
  reason: 0,
  ifindex: 42,
  origIp: '10.244.1.211',
};
export const referenceSyn = ipv4Packet({
  proto: 'tcp',
  src: '10.244.1.211',
  dst: '10.244.1.106',
  sport: 33690,
  dport: 80,
  bits: SYN,
});

// Ring-buffer records (bpf/lib/notify.h) → typed events. Pure: bytes in, an event or a one-line
// error out, never a throw, so one bad record costs a counter and not the reader.
import { COMMON, DROP, FLAG_IPV6, NotifyType, TRACE } from './layout.js';

interface EventBase {
  type: number;
  subtype: number;
  /** Endpoint ID of the emitting program (0: the host program). */
  source: number;
  hash: number;
  lenOrig: number;
  lenCap: number;
  version: number;
  extVersion: number;
  /** The captured packet bytes (lenCap of them). */
  payload: Buffer;
}

export interface TraceEvent extends EventBase {
  kind: 'trace';
  /** enum trace_point (the subtype). */
  observationPoint: number;
  srcLabel: number;
  dstLabel: number;
  dstId: number;
  /** enum trace_reason: the connection state. */
  reason: number;
  flags: number;
  ifindex: number;
  /** Address before NAT; "0.0.0.0" (or "::") when there was none. */
  origIp: string;
  /** u64, as a decimal string (JSON has no 64-bit integers). */
  ipTraceId: string;
}

export interface DropEvent extends EventBase {
  kind: 'drop';
  /** The drop reason code (the subtype, positive). */
  reason: number;
  srcLabel: number;
  dstLabel: number;
  dstId: number;
  line: number;
  /** Source file id: 1 bpf_host.c, 2 bpf_lxc.c, … */
  file: number;
  extError: number;
  ifindex: number;
  flags: number;
  ipTraceId: string;
}

/** A well-formed header of a type this reader does not decode (debug, capture, verdicts). */
export interface UnknownEvent extends EventBase {
  kind: 'unknown';
}

export type DatapathEvent = TraceEvent | DropEvent;
export type DecodedEvent = DatapathEvent | UnknownEvent;
export type DecodeResult = { ok: true; event: DecodedEvent } | { ok: false; error: string };

export function decodeRecord(rec: Buffer): DecodeResult {
  if (rec.length < COMMON.size) return fail(`record of ${rec.length} bytes is shorter than its header`);
  const type = rec.readUInt8(COMMON.type);
  const bodySize =
    type === NotifyType.TRACE ? TRACE.size : type === NotifyType.DROP ? DROP.size : COMMON.size;
  if (rec.length < bodySize)
    return fail(`type ${type} record of ${rec.length} bytes is shorter than its ${bodySize}-byte body`);
  const lenCap = rec.readUInt16LE(COMMON.len_cap);
  if (type !== NotifyType.TRACE && type !== NotifyType.DROP) {
    return { ok: true, event: { kind: 'unknown', ...base(rec, Buffer.alloc(0)) } };
  }
  if (bodySize + lenCap > rec.length)
    return fail(`type ${type} record: len_cap ${lenCap} exceeds its ${rec.length - bodySize} payload bytes`);
  const payload = Buffer.from(rec.subarray(bodySize, bodySize + lenCap));
  return { ok: true, event: type === NotifyType.TRACE ? trace(rec, payload) : drop(rec, payload) };
}

function fail(error: string): DecodeResult {
  return { ok: false, error };
}

function base(rec: Buffer, payload: Buffer): EventBase {
  return {
    type: rec.readUInt8(COMMON.type),
    subtype: rec.readUInt8(COMMON.subtype),
    source: rec.readUInt16LE(COMMON.source),
    hash: rec.readUInt32LE(COMMON.hash),
    lenOrig: rec.readUInt32LE(COMMON.len_orig),
    lenCap: rec.readUInt16LE(COMMON.len_cap),
    version: rec.readUInt8(COMMON.version),
    extVersion: rec.readUInt8(COMMON.ext_version),
    payload,
  };
}

function trace(rec: Buffer, payload: Buffer): TraceEvent {
  const b = base(rec, payload);
  const flags = rec.readUInt8(TRACE.flags);
  return {
    kind: 'trace',
    ...b,
    observationPoint: b.subtype,
    srcLabel: rec.readUInt32LE(TRACE.src_label),
    dstLabel: rec.readUInt32LE(TRACE.dst_label),
    dstId: rec.readUInt16LE(TRACE.dst_id),
    reason: rec.readUInt8(TRACE.reason),
    flags,
    ifindex: rec.readUInt32LE(TRACE.ifindex),
    origIp: flags & FLAG_IPV6 ? ipv6(rec, TRACE.orig_ip) : ipv4(rec, TRACE.orig_ip),
    ipTraceId: rec.readBigUInt64LE(TRACE.ip_trace_id).toString(),
  };
}

function drop(rec: Buffer, payload: Buffer): DropEvent {
  const b = base(rec, payload);
  return {
    kind: 'drop',
    ...b,
    reason: b.subtype,
    srcLabel: rec.readUInt32LE(DROP.src_label),
    dstLabel: rec.readUInt32LE(DROP.dst_label),
    dstId: rec.readUInt32LE(DROP.dst_id),
    line: rec.readUInt16LE(DROP.line),
    file: rec.readUInt8(DROP.file),
    extError: rec.readInt8(DROP.ext_error),
    ifindex: rec.readUInt32LE(DROP.ifindex),
    flags: rec.readUInt8(DROP.flags),
    ipTraceId: rec.readBigUInt64LE(DROP.ip_trace_id).toString(),
  };
}

export function ipv4(buf: Buffer, offset: number): string {
  return [0, 1, 2, 3].map((i) => buf[offset + i] ?? 0).join('.');
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
export function ipv6(buf: Buffer, offset: number): string {
  const groups = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(offset + i * 2));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

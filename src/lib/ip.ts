// IPv4 and IPv6 addresses and CIDR prefixes, one module for manifests, LB-IPAM and map codecs.
// Addresses are BigInt so both families share one code path and counts never overflow (a v6
// /64 holds 2^64 addresses). Validation is node:net's (strict: no leading zeros, no
// whitespace); the arithmetic and the RFC 5952 canonical text are ours.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Addr {
  family: Family;
  value: bigint;
}

/** A prefix as written: `base` keeps any host bits (10.0.10.7/24 has base 10.0.10.7). */
export interface Prefix {
  family: Family;
  base: bigint;
  prefix: number;
}

/** Inclusive address range. */
export interface Range {
  family: Family;
  from: bigint;
  to: bigint;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function familyBits(family: Family): number {
  return BITS[family];
}

export interface ParseAddrOptions {
  /** Accept an IPv6 zone (`fe80::1%eth0`) and drop it; refused by default. */
  allowZone?: boolean;
}

/** Parses an address (no prefix, no surrounding space); undefined when it is not one. */
export function parseAddr(text: string, opts: ParseAddrOptions = {}): Addr | undefined {
  if (isIPv4(text)) return { family: 4, value: v4Value(text) };
  if (!isIPv6(text)) return undefined;
  const zone = text.indexOf('%');
  if (zone >= 0 && !opts.allowZone) return undefined;
  return { family: 6, value: v6Value(zone >= 0 ? text.slice(0, zone) : text) };
}

function v4Value(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6Value(text: string): bigint {
  // An embedded dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  const hex = tail.includes('.')
    ? `${text.slice(0, lastColon + 1)}${(v4Value(tail) >> 16n).toString(16)}:${(v4Value(tail) & 0xffffn).toString(16)}`
    : text;
  const [head = '', rest] = hex.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** Dotted quad for v4; RFC 5952 text for v6 (lower case, longest zero run compressed). */
export function formatAddr(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Compress the longest run of two or more zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The canonical text of an address (`2001:DB8:0::1` → `2001:db8::1`), or undefined. */
export function canonicalAddr(text: string, opts: ParseAddrOptions = {}): string | undefined {
  const a = parseAddr(text, opts);
  return a ? formatAddr(a.family, a.value) : undefined;
}

export type PrefixResult = { ok: true; prefix: Prefix } | { ok: false; error: string };

/** Parses `addr/len`; the error is a one-line reason for the caller to prefix with the field. */
export function parsePrefix(text: string): PrefixResult {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, error: 'missing "/prefix-length"' };
  const addrText = text.slice(0, slash);
  const addr = parseAddr(addrText);
  if (!addr) return { ok: false, error: `"${addrText}" is not an IPv4 or IPv6 address` };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return { ok: false, error: `prefix length "${lenText}" is not a number` };
  const len = Number(lenText);
  const bits = BITS[addr.family];
  if (len > bits) return { ok: false, error: `prefix length ${len} > ${bits}` };
  return { ok: true, prefix: { family: addr.family, base: addr.value, prefix: len } };
}

/** The addresses a prefix covers; host bits in the base are masked off, as Cilium does. */
export function prefixRange(p: Prefix): Range {
  const hostBits = BigInt(BITS[p.family] - p.prefix);
  const from = (p.base >> hostBits) << hostBits;
  return { family: p.family, from, to: from + (1n << hostBits) - 1n };
}

/** Whether the base has no host bits set (10.0.10.0/24 yes, 10.0.10.7/24 no). */
export function isPrefixAligned(p: Prefix): boolean {
  return prefixRange(p).from === p.base;
}

/** `10.0.10.0/24` with the network address, e.g. for a canonical pool CIDR. */
export function formatPrefix(p: Prefix): string {
  return `${formatAddr(p.family, prefixRange(p).from)}/${p.prefix}`;
}

export function rangeText(r: Range): string {
  return `${formatAddr(r.family, r.from)} - ${formatAddr(r.family, r.to)}`;
}

export function rangeSize(r: Range): bigint {
  return r.to - r.from + 1n;
}

export function overlaps(a: Range, b: Range): boolean {
  return a.family === b.family && a.from <= b.to && b.from <= a.to;
}

export function contains(r: Range, a: Addr): boolean {
  return r.family === a.family && r.from <= a.value && a.value <= r.to;
}

/** Writes an address in network byte order (4 or 16 bytes), as BPF maps and packets hold it. */
export function writeAddrBytes(buf: Buffer, offset: number, a: Addr): void {
  const n = BITS[a.family] / 8;
  // writeUInt8/readUInt8 throw on a short buffer where index assignment would silently drop bytes.
  for (let i = 0; i < n; i++)
    buf.writeUInt8(Number((a.value >> BigInt((n - 1 - i) * 8)) & 0xffn), offset + i);
}

export function readAddrBytes(buf: Buffer, offset: number, family: Family): Addr {
  let value = 0n;
  for (let i = 0; i < BITS[family] / 8; i++) value = (value << 8n) | BigInt(buf.readUInt8(offset + i));
  return { family, value };
}

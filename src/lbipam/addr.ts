// IP addresses as BigInt so that v4 and v6 share one code path and counts never overflow
// (a v6 /64 holds 2^64 addresses). Parsing uses node:net's validators; the arithmetic is ours.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Addr {
  family: Family;
  value: bigint;
}

export interface Range {
  family: Family;
  from: bigint;
  to: bigint; // inclusive
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function familyBits(family: Family): number {
  return BITS[family];
}

/** Parses a v4 or v6 address; returns undefined when it is not one (callers word the error). */
export function parseAddr(text: string): Addr | undefined {
  const s = text.trim();
  if (isIPv4(s)) {
    let v = 0n;
    for (const part of s.split('.')) v = (v << 8n) | BigInt(Number(part));
    return { family: 4, value: v };
  }
  if (isIPv6(s)) return { family: 6, value: parseV6(s) };
  return undefined;
}

function parseV6(s: string): bigint {
  let text = s.split('%')[0] ?? s;
  // An embedded dotted quad (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseAddr(tail);
    const n = v4?.value ?? 0n;
    text = `${text.slice(0, lastColon + 1)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(Number.parseInt(g, 16));
  return v;
}

export function formatAddr(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
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

/** Canonical text of an address, the key under which LB-IPAM tracks who holds it. */
export function canonical(text: string): string | undefined {
  const a = parseAddr(text);
  return a ? formatAddr(a.family, a.value) : undefined;
}

export type CidrResult = { ok: true; range: Range } | { ok: false; error: string };

/** `10.0.10.0/24` → [10.0.10.0, 10.0.10.255]; a misaligned prefix is masked like Cilium does. */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, error: 'missing "/<prefix length>"' };
  const addr = parseAddr(text.slice(0, slash));
  if (!addr) return { ok: false, error: `"${text.slice(0, slash)}" is not an IP address` };
  const lenText = text.slice(slash + 1);
  const bits = BITS[addr.family];
  if (!/^\d+$/.test(lenText)) return { ok: false, error: `prefix length "${lenText}" is not a number` };
  const len = Number(lenText);
  if (len > bits) return { ok: false, error: `prefix length ${len} > ${bits}` };
  const hostBits = BigInt(bits - len);
  const from = (addr.value >> hostBits) << hostBits;
  return { ok: true, range: { family: addr.family, from, to: from + (1n << hostBits) - 1n } };
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

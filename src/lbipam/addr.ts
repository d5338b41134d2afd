// LB-IPAM's view of addresses: src/lib/ip.ts, plus two LB-IPAM habits kept from before the
// move. An address is trimmed and an IPv6 zone ignored (annotation values reach here without
// manifest validation), and a CIDR parses straight to the inclusive range it covers.
import { type Addr, parseAddr as parseIp, parsePrefix, prefixRange, type Range } from '../lib/ip.js';

export {
  type Addr,
  contains,
  type Family,
  familyBits,
  formatAddr,
  overlaps,
  type Range,
  rangeSize,
  rangeText,
} from '../lib/ip.js';

/** Parses a v4 or v6 address; returns undefined when it is not one (callers word the error). */
export function parseAddr(text: string): Addr | undefined {
  return parseIp(text.trim(), { allowZone: true });
}

export type CidrResult = { ok: true; range: Range } | { ok: false; error: string };

/** `10.0.10.0/24` → [10.0.10.0, 10.0.10.255]; a misaligned prefix is masked like Cilium does. */
export function parseCidr(text: string): CidrResult {
  const r = parsePrefix(text);
  return r.ok ? { ok: true, range: prefixRange(r.prefix) } : r;
}

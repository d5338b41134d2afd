// The api package's IP exports (parseIp, parseCidr) in the shapes they have always had, over
// src/lib/ip.ts, which the schemas now use directly. The reasons (`missing "/prefix-length"`,
// `prefix length 33 > 32`) are lib/ip's, word for word.
import { parseAddr, parsePrefix } from '../lib/ip.js';

export interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

/** Parses an IPv4 or IPv6 address (no zone, no prefix); undefined when it is not one. */
export function parseIp(text: string): ParsedIp | undefined {
  return parseAddr(text);
}

export interface ParsedCidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

/** Parses `addr/len`; returns a one-line reason instead of throwing when it is not valid. */
export function parseCidr(text: string): ParsedCidr | { error: string } {
  const r = parsePrefix(text);
  return r.ok ? r.prefix : { error: r.error };
}

// IP address and CIDR parsing for manifests. Addresses become bigints so that pools can compare
// ranges (start <= stop) and check prefix lengths for both families with one code path.
import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

/** Parses an IPv4 or IPv6 address (no zone, no prefix); undefined when it is not one. */
export function parseIp(text: string): ParsedIp | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(text) && !text.includes('%')) return { family: 6, value: ipv6ToBigint(text) };
  return undefined;
}

function ipv6ToBigint(text: string): bigint {
  // An embedded IPv4 tail (::ffff:1.2.3.4) is rewritten as the two hex groups it stands for.
  const lastColon = text.lastIndexOf(':');
  const v4 = text.includes('.') ? parseIp(text.slice(lastColon + 1)) : undefined;
  const hex = v4
    ? `${text.slice(0, lastColon + 1)}${(v4.value >> 16n).toString(16)}:${(v4.value & 0xffffn).toString(16)}`
    : text;
  const [left = '', right] = hex.split('::');
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const zeros = right === undefined ? 0 : 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...new Array<string>(zeros).fill('0'), ...rightGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

export interface ParsedCidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

/** Parses `addr/len`; returns a one-line reason instead of throwing when it is not valid. */
export function parseCidr(text: string): ParsedCidr | { error: string } {
  const slash = text.indexOf('/');
  if (slash < 0) return { error: 'missing "/prefix-length"' };
  const ip = parseIp(text.slice(0, slash));
  if (!ip) return { error: `"${text.slice(0, slash)}" is not an IPv4 or IPv6 address` };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return { error: `prefix length "${lenText}" is not a number` };
  const prefix = Number(lenText);
  const max = ip.family === 4 ? 32 : 128;
  if (prefix > max) return { error: `prefix length ${prefix} > ${max}` };
  return { family: ip.family, base: ip.value, prefix };
}

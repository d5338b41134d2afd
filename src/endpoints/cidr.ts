// IPv4 CIDR membership, for the few checks the endpoint code makes.
import { parseAddr, parsePrefix, prefixRange } from '../lib/ip.js';

export function ipInCidr(ip: string, cidr: string): boolean {
  const addr = parseAddr(ip);
  const p = parsePrefix(cidr);
  if (!addr || !p.ok || addr.family !== p.prefix.family) return false;
  const r = prefixRange(p.prefix);
  return addr.value >= r.from && addr.value <= r.to;
}

// Addresses as the maps store them: IPv4 in network byte order, MACs as 6 raw bytes. Parsing is
// strict, and a bad value names the map and the field it was meant for, so a typo never reaches
// the kernel.
import { BpfError } from './errors.js';

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function invalid(mapName: string, field: string, value: unknown, what: string): BpfError {
  return new BpfError({
    op: 'encode',
    object: mapName,
    code: 'EINVAL',
    message: `${field} ${JSON.stringify(value)}: ${what}`,
  });
}

/** Writes a dotted quad into `buf` at `offset`, most significant octet first (network order). */
export function writeIpv4(buf: Buffer, offset: number, ip: string, mapName: string, field: string): void {
  const parts = typeof ip === 'string' ? ip.split('.') : [];
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) {
    throw invalid(mapName, field, ip, 'not a dotted-quad IPv4 address');
  }
  parts.forEach((p, i) => {
    buf[offset + i] = Number(p);
  });
}

export function readIpv4(buf: Buffer, offset: number): string {
  return [0, 1, 2, 3].map((i) => buf[offset + i]).join('.');
}

/** Writes "aa:bb:cc:dd:ee:ff" as 6 bytes at `offset`. */
export function writeMac(buf: Buffer, offset: number, mac: string, mapName: string, field: string): void {
  if (typeof mac !== 'string' || !MAC.test(mac)) {
    throw invalid(mapName, field, mac, 'not a MAC address (aa:bb:cc:dd:ee:ff)');
  }
  Buffer.from(mac.replaceAll(':', ''), 'hex').copy(buf, offset);
}

export function readMac(buf: Buffer, offset: number): string {
  return [...buf.subarray(offset, offset + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Checks that `n` fits a u32 (ifindex, array index). */
export function checkU32(n: number, mapName: string, field: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw invalid(mapName, field, n, 'not a u32');
  return n;
}

/** Checks that `n` fits a u64. */
export function checkU64(n: bigint, mapName: string, field: string): bigint {
  if (typeof n !== 'bigint' || n < 0n || n > 0xffffffffffffffffn) {
    throw invalid(mapName, field, typeof n === 'bigint' ? n.toString() : n, 'not a u64 (bigint)');
  }
  return n;
}

/** The name of `value` in a C enum mirrored as `{NAME: value}`, or `fallback` for one it lacks. */
export function nameOf(table: Readonly<Record<string, number>>, value: number, fallback: string): string {
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return fallback;
}

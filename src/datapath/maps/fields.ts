// Field helpers the endpoint and ipcache codecs share (the generic ones are in src/bpf/codec-fields.ts).
import { BpfError } from '../../bpf/errors.js';

/** Checks that `n` fits a u16 (endpoint ID, cluster ID). */
export function u16Field(n: number, mapName: string, field: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff)
    throw new BpfError({
      op: 'encode',
      object: mapName,
      code: 'EINVAL',
      message: `${field} ${JSON.stringify(n)}: not a u16`,
    });
  return n;
}

/** 16 bytes as eight uncompressed hex groups (IPv6 keys are not written by waggle yet). */
export function readIpv6(buf: Buffer, offset: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(offset + 2 * i).toString(16));
  return groups.join(':');
}

// waggle_ipcache: prefix → security identity, Cilium's cilium_ipcache_v2 layout (bpf/lib/ipcache.h).
// An LPM trie: prefixlen counts the 32 static bits (cluster_id, pad1, family) plus the IP prefix.
// Rows print as `cilium-dbg bpf ipcache list` does (pkg/maps/ipcache/ipcache.go). Layout:
//   key   struct ipcache_key { struct bpf_lpm_trie_key_hdr lpm; __u16 cluster_id; __u8 pad1; __u8 family;
//                              union { __be32 ip4; __u8 ip6[16]; } addr; }                       24 B
//   value struct remote_endpoint_info { __u32 sec_identity; union { … } tunnel_endpoint; __u16 pad;
//                              __u8 key; __u8 flag_skip_tunnel:1, flag_has_tunnel_ep:1,
//                              flag_ipv6_tunnel_ep:1, flag_remote_cluster:1, flag_pad:4; }       24 B
import { BpfError } from '../../bpf/errors.js';
import { defineCodec } from '../../bpf/codec.js';
import { checkU32, readIpv4, writeIpv4 } from '../../bpf/codec-fields.js';
import { readIpv6, u16Field } from './fields.js';

export const IPCACHE_MAP = 'waggle_ipcache';
export const IPCACHE_MAX_ENTRIES = 512000;
/** cluster_id, pad1 and family: the bits of the key every lookup matches exactly. */
export const IPCACHE_STATIC_PREFIX = 32;

export interface IpcacheKey {
  /** "10.200.1.5/32", "0.0.0.0/0". */
  prefix: string;
  clusterId?: number;
}

export interface IpcacheFlags {
  skipTunnel?: boolean;
  hasTunnelEp?: boolean;
  ipv6TunnelEp?: boolean;
  remoteCluster?: boolean;
}

export interface RemoteEndpointInfo {
  identity: number;
  encryptKey?: number;
  /** IPv4 tunnel endpoint (remote node IP), "0.0.0.0" when none. */
  tunnelEndpoint?: string;
  flags?: IpcacheFlags;
}

const FLAG_BITS: ReadonlyArray<[keyof IpcacheFlags, number, string]> = [
  ['skipTunnel', 1, 'skiptunnel'],
  ['hasTunnelEp', 2, 'hastunnel'],
  ['ipv6TunnelEp', 4, 'ipv6tunnel'],
  ['remoteCluster', 8, 'remotecluster'],
];

function parsePrefix(prefix: string): { ip: string; len: number } {
  const m = typeof prefix === 'string' ? /^([0-9.]+)\/(\d{1,2})$/.exec(prefix) : null;
  const len = m ? Number(m[2]) : -1;
  if (!m || len > 32)
    throw new BpfError({
      op: 'encode',
      object: IPCACHE_MAP,
      code: 'EINVAL',
      message: `key.prefix ${JSON.stringify(prefix)}: not an IPv4 prefix (a.b.c.d/len, len 0..32)`,
    });
  return { ip: m[1] as string, len };
}

export const ipcacheCodec = defineCodec<IpcacheKey, RemoteEndpointInfo>({
  mapName: IPCACHE_MAP,
  key: {
    c: 'struct ipcache_key',
    size: 24,
    fields: { lpm: 0, cluster_id: 4, pad1: 6, family: 7, addr: 8 },
  },
  value: {
    c: 'struct remote_endpoint_info',
    size: 24,
    fields: {
      sec_identity: 0,
      tunnel_endpoint: 4,
      pad: 20,
      key: 22,
      flag_skip_tunnel: { bitOffset: 184, bitSize: 1 },
      flag_has_tunnel_ep: { bitOffset: 185, bitSize: 1 },
      flag_ipv6_tunnel_ep: { bitOffset: 186, bitSize: 1 },
      flag_remote_cluster: { bitOffset: 187, bitSize: 1 },
      flag_pad: { bitOffset: 188, bitSize: 4 },
    },
  },
  encodeKey(key) {
    const { ip, len } = parsePrefix(key.prefix);
    const buf = Buffer.alloc(24);
    buf.writeUInt32LE(IPCACHE_STATIC_PREFIX + len, 0);
    buf.writeUInt16LE(u16Field(key.clusterId ?? 0, IPCACHE_MAP, 'key.clusterId'), 4);
    buf.writeUInt8(1, 7);
    writeIpv4(buf, 8, ip, IPCACHE_MAP, 'key.prefix');
    // Host bits are cleared, so 10.0.0.5/24 and 10.0.0.0/24 are one entry, printed one way.
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    buf.writeUInt32BE((buf.readUInt32BE(8) & mask) >>> 0, 8);
    return buf;
  },
  decodeKey(buf) {
    const len = buf.readUInt32LE(0) - IPCACHE_STATIC_PREFIX;
    const ip = buf.readUInt8(7) === 2 ? readIpv6(buf, 8) : readIpv4(buf, 8);
    const clusterId = buf.readUInt16LE(4);
    return clusterId ? { prefix: `${ip}/${len}`, clusterId } : { prefix: `${ip}/${len}` };
  },
  encodeValue(v) {
    const buf = Buffer.alloc(24);
    buf.writeUInt32LE(checkU32(v.identity, IPCACHE_MAP, 'value.identity'), 0);
    writeIpv4(buf, 4, v.tunnelEndpoint ?? '0.0.0.0', IPCACHE_MAP, 'value.tunnelEndpoint');
    const key = v.encryptKey ?? 0;
    if (!Number.isInteger(key) || key < 0 || key > 255)
      throw new BpfError({
        op: 'encode',
        object: IPCACHE_MAP,
        code: 'EINVAL',
        message: `value.encryptKey ${JSON.stringify(key)}: not a u8`,
      });
    buf.writeUInt8(key, 22);
    let bits = 0;
    for (const [name, bit] of FLAG_BITS) if (v.flags?.[name]) bits |= bit;
    buf.writeUInt8(bits, 23);
    return buf;
  },
  decodeValue(buf) {
    const bits = buf.readUInt8(23);
    const flags: IpcacheFlags = {};
    for (const [name, bit] of FLAG_BITS) if (bits & bit) flags[name] = true;
    return {
      identity: buf.readUInt32LE(0),
      encryptKey: buf.readUInt8(22),
      tunnelEndpoint: bits & 4 ? readIpv6(buf, 4) : readIpv4(buf, 4),
      flags,
    };
  },
  columns: ['IP PREFIX/ADDRESS', 'IDENTITY'],
  row: (k, v) => [k.clusterId ? `${k.prefix}@${k.clusterId}` : k.prefix, ipcacheInfoText(v)],
});

/** The value as `cilium-dbg bpf ipcache list` prints it. */
export function ipcacheInfoText(v: RemoteEndpointInfo): string {
  const flags = FLAG_BITS.filter(([name]) => v.flags?.[name]).map(([, , text]) => text);
  return (
    `identity=${v.identity} encryptkey=${v.encryptKey ?? 0} tunnelendpoint=${v.tunnelEndpoint ?? '0.0.0.0'} ` +
    `flags=${flags.length ? flags.join(',') : '<none>'}`
  );
}

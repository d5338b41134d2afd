// waggle_devices: the MAC of each device the host program is attached to, keyed by ifindex.
// One object serves every device, so this map replaces Cilium's per-device compiled-in MAC and
// masquerade address. Layout in bpf/lib/devices.h: key __u32 ifindex;
// value struct device_info { __u8 mac[6]; __u8 pad[2]; __be32 ipv4; }.
import { defineCodec } from '../../bpf/codec.js';
import { checkU32, readIpv4, readMac, writeIpv4, writeMac } from '../../bpf/codec-fields.js';

export const DEVICES_MAP = 'waggle_devices';
export const DEVICES_MAX_ENTRIES = 256;

export interface DeviceInfo {
  /** "aa:bb:cc:dd:ee:ff" */
  mac: string;
  /** The address pods' traffic is masqueraded to on this device; absent (0.0.0.0 in C): none. */
  ipv4?: string;
}

export const devicesCodec = defineCodec<number, DeviceInfo>({
  mapName: DEVICES_MAP,
  key: { c: '__u32', size: 4 },
  value: { c: 'struct device_info', size: 12, fields: { mac: 0, pad: 6, ipv4: 8 } },
  encodeKey(ifindex) {
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(checkU32(ifindex, DEVICES_MAP, 'key.ifindex'));
    return buf;
  },
  decodeKey: (buf) => buf.readUInt32LE(0),
  encodeValue(value) {
    const buf = Buffer.alloc(12); // pad stays zero
    writeMac(buf, 0, value.mac, DEVICES_MAP, 'value.mac');
    writeIpv4(buf, 8, value.ipv4 ?? '0.0.0.0', DEVICES_MAP, 'value.ipv4');
    return buf;
  },
  decodeValue: (buf) => {
    const ipv4 = readIpv4(buf, 8);
    return ipv4 === '0.0.0.0' ? { mac: readMac(buf, 0) } : { mac: readMac(buf, 0), ipv4 };
  },
  columns: ['IFINDEX', 'INTERFACE', 'MAC', 'MASQUERADE IPV4'],
  row: (ifindex, v, ctx) => [String(ifindex), ctx.ifname(ifindex) ?? '?', v.mac, v.ipv4 ?? '-'],
});

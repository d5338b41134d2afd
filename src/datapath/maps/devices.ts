// waggle_devices: the MAC of each device the host program is attached to, keyed by ifindex.
// One object serves every device, so this map replaces Cilium's per-device compiled-in MAC.
// Layout in bpf/lib/devices.h: key __u32 ifindex; value struct device_info { __u8 mac[6]; __u8 pad[2]; }.
import { defineCodec } from '../../bpf/codec.js';
import { checkU32, readMac, writeMac } from '../../bpf/codec-fields.js';

export const DEVICES_MAP = 'waggle_devices';
export const DEVICES_MAX_ENTRIES = 256;

export interface DeviceInfo {
  /** "aa:bb:cc:dd:ee:ff" */
  mac: string;
}

export const devicesCodec = defineCodec<number, DeviceInfo>({
  mapName: DEVICES_MAP,
  key: { c: '__u32', size: 4 },
  value: { c: 'struct device_info', size: 8, fields: { mac: 0, pad: 6 } },
  encodeKey(ifindex) {
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(checkU32(ifindex, DEVICES_MAP, 'key.ifindex'));
    return buf;
  },
  decodeKey: (buf) => buf.readUInt32LE(0),
  encodeValue(value) {
    const buf = Buffer.alloc(8); // pad stays zero
    writeMac(buf, 0, value.mac, DEVICES_MAP, 'value.mac');
    return buf;
  },
  decodeValue: (buf) => ({ mac: readMac(buf, 0) }),
  columns: ['IFINDEX', 'INTERFACE', 'MAC'],
  row: (ifindex, v, ctx) => [String(ifindex), ctx.ifname(ifindex) ?? '?', v.mac],
});

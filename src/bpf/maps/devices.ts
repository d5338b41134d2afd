// waggle_devices: the MAC of each device the host program is attached to, keyed by ifindex.
// One object serves every device, so this map replaces Cilium's per-device compiled-in MAC.
// Layout in bpf/lib/devices.h: key __u32 ifindex; value struct device_info { __u8 mac[6]; __u8 pad[2]; }.
import { checkU32, readMac, writeMac } from './addr.js';
import type { Codec } from './typed-map.js';

export const DEVICES_MAP = 'waggle_devices';
export const DEVICES_MAX_ENTRIES = 256;

export interface DeviceInfo {
  /** "aa:bb:cc:dd:ee:ff" */
  mac: string;
}

export const devicesCodec: Codec<number, DeviceInfo> = {
  mapName: DEVICES_MAP,
  keySize: 4,
  valueSize: 8,
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
};

// Gratuitous ARP as Cilium ≤1.18 sends it (Cilium's pkg/datapath/garp): an unsolicited ARP *reply* to
// broadcast, sha = interface MAC, spa = tpa = VIP, tha = ff:ff:ff:ff:ff:ff, padded to the
// 60-byte Ethernet minimum (tcpdump: "ARP, Reply <VIP> is-at <mac>, length 46"). Sent through
// an AF_PACKET socket, so the interface needs no IPv4 address of its own.
import { PacketSocket } from '../bpf/index.js';

const BROADCAST = Buffer.from('ffffffffffff', 'hex');

export function parseMac(mac: string): Buffer {
  const hex = mac.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) throw new Error(`MAC "${mac}": expected six hex octets`);
  return Buffer.from(hex, 'hex');
}

export function parseIPv4(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`IP "${ip}": not an IPv4 address`);
  return Buffer.from(parts);
}

export function garpFrame(mac: string, ip: string): Buffer {
  const sha = parseMac(mac);
  const vip = parseIPv4(ip);
  const f = Buffer.alloc(60); // zero padding after the 42-byte ARP frame
  BROADCAST.copy(f, 0);
  sha.copy(f, 6);
  f.writeUInt16BE(0x0806, 12); // ETH_P_ARP
  f.writeUInt16BE(1, 14); // hrd: Ethernet
  f.writeUInt16BE(0x0800, 16); // pro: IPv4
  f.writeUInt8(6, 18);
  f.writeUInt8(4, 19);
  f.writeUInt16BE(2, 20); // op: reply
  sha.copy(f, 22);
  vip.copy(f, 28);
  BROADCAST.copy(f, 32);
  vip.copy(f, 38);
  return f;
}

export interface GarpOptions {
  count: number;
  intervalMs: number;
}

/**
 * Sends `count` GARPs for `ip` out of the interface, `intervalMs` apart. The first goes out
 * before this returns (its failure throws); later ones are best effort and stop on abort.
 * Returns a promise for the remaining packets and how many were sent in all.
 */
export function sendGarp(
  target: { ifindex: number; iface: string; mac: string },
  ip: string,
  opts: GarpOptions,
  signal?: AbortSignal,
): Promise<number> {
  const frame = garpFrame(target.mac, ip);
  const sock = new PacketSocket(target.ifindex, target.iface);
  try {
    sock.send(frame);
  } catch (err) {
    sock.close();
    throw err;
  }
  if (opts.count <= 1) {
    sock.close();
    return Promise.resolve(1);
  }
  return (async () => {
    let sent = 1;
    try {
      for (let i = 1; i < opts.count && !signal?.aborted; i++) {
        await new Promise((r) => setTimeout(r, opts.intervalMs));
        if (signal?.aborted) break;
        try {
          sock.send(frame);
          sent++;
        } catch {
          break; // the interface went away; the first packet already announced the VIP
        }
      }
    } finally {
      sock.close();
    }
    return sent;
  })();
}

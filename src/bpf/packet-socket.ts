// Raw frames out of one interface (AF_PACKET, SOCK_RAW), e.g. gratuitous ARP. The socket is
// opened with protocol 0, so it receives nothing, and needs no IPv4 address on the interface.
import { BpfError } from './errors.js';
import { c, errno } from './native.js';

const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;

export class PacketSocket {
  readonly ifindex: number;
  readonly device: string;
  #fd: number;

  constructor(ifindex: number, device = `ifindex ${ifindex}`) {
    const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0) as number;
    if (fd < 0)
      throw new BpfError({
        op: 'open packet socket on',
        object: device,
        errno: errno(),
        hint: 'are you root, or do you have CAP_NET_RAW?',
      });
    this.#fd = fd;
    this.ifindex = ifindex;
    this.device = device;
  }

  /** Sends one complete Ethernet frame (header included) out of the interface. */
  send(frame: Buffer): void {
    if (this.#fd < 0)
      throw new BpfError({ op: 'send on', object: this.device, code: 'EINVAL', message: 'socket is closed' });
    if (frame.length < 14)
      throw new BpfError({
        op: 'send on',
        object: this.device,
        code: 'EINVAL',
        message: 'frame shorter than an Ethernet header',
      });
    // struct sockaddr_ll: family, protocol (be16, taken from the frame), ifindex, hatype,
    // pkttype, halen, addr[8].
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    frame.copy(sll, 2, 12, 14);
    sll.writeInt32LE(this.ifindex, 4);
    sll.writeUInt8(6, 11);
    frame.copy(sll, 12, 0, 6);
    const n = Number(c.sendto(this.#fd, frame, frame.length, 0, sll, sll.length));
    if (n < 0) throw new BpfError({ op: 'send frame on', object: this.device, errno: errno() });
  }

  close(): void {
    if (this.#fd >= 0) c.close(this.#fd);
    this.#fd = -1;
  }
}

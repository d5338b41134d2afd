// A consumer of a BPF_MAP_TYPE_RINGBUF map through libbpf's ring_buffer API.
//
// consume() never blocks: it drains what the kernel has committed and returns. The caller polls
// it from a timer (or when epollFd becomes readable), so the event loop never waits on the
// kernel. libbpf invokes our registered callback synchronously inside ring_buffer__consume(),
// on this thread; each record is copied into a Buffer there, because the ring memory is
// handed back to the kernel as soon as the callback returns.
import { BpfError, check } from './errors.js';
import { MapType, infoByFd } from './map.js';
import { bpf, copyOut, errno, type Pointer, RingBufferSampleFn, register, unregister } from './native.js';

/** Records taken per consume() at most, so one call cannot run on while a producer keeps up. */
export const DEFAULT_MAX_RECORDS = 4096;

/** The value our callback returns to make libbpf stop early (it keeps the records it passed us). */
const STOP = -1;

export class RingBufReader {
  readonly name: string;
  #rb: Pointer | null;
  #cb: Pointer | null;
  #batch: Buffer[] = [];
  #limit = DEFAULT_MAX_RECORDS;
  #stopped = false;

  private constructor(name: string, rb: Pointer, cb: Pointer) {
    this.name = name;
    this.#rb = rb;
    this.#cb = cb;
  }

  /** Opens a reader on a ring buffer's fd; the fd stays the caller's (close() does not close it). */
  static open(mapFd: number, name = `ringbuf fd ${mapFd}`): RingBufReader {
    const info = infoByFd(mapFd, name);
    if (info.type !== MapType.RINGBUF) {
      throw new BpfError({
        op: 'open ring buffer',
        object: name,
        code: 'EINVAL',
        message: `map type is ${info.type}, not BPF_MAP_TYPE_RINGBUF (${MapType.RINGBUF})`,
      });
    }
    // The reader must exist before the callback can reach it, and the callback before the
    // ring; `self` bridges the two.
    let self: RingBufReader | undefined;
    const cb = register(
      (_ctx: Pointer, data: Pointer, size: number | bigint) => (self ? self.#take(data, Number(size)) : STOP),
      RingBufferSampleFn,
    );
    const rb = bpf.ringBufferNew(mapFd, cb, null, null);
    if (!rb) {
      const e = errno();
      unregister(cb);
      throw new BpfError({ op: 'open ring buffer', object: name, errno: e });
    }
    self = new RingBufReader(name, rb, cb);
    return self;
  }

  /** The ring's size in bytes (max_entries of a RINGBUF map). */
  static sizeOf(mapFd: number, name = `ringbuf fd ${mapFd}`): number {
    return infoByFd(mapFd, name).maxEntries;
  }

  /** An fd that becomes readable when records are waiting (for epoll/poll users). */
  get epollFd(): number {
    return check(bpf.ringBufferEpollFd(this.#handle()) as number, 'ring buffer epoll fd', this.name);
  }

  /** Takes up to `max` committed records (copies), without waiting. An empty array: nothing there. */
  consume(max = DEFAULT_MAX_RECORDS): Buffer[] {
    const rb = this.#handle();
    this.#batch = [];
    this.#limit = Math.max(1, max);
    this.#stopped = false;
    const ret = bpf.ringBufferConsume(rb) as number;
    const batch = this.#batch;
    this.#batch = [];
    // Our own early stop comes back as STOP; anything else negative is the kernel's or libbpf's.
    if (ret < 0 && !(this.#stopped && ret === STOP)) check(ret, 'consume ring buffer', this.name);
    return batch;
  }

  /** Frees the ring (its mappings and epoll fd) and the callback. Safe to call twice. */
  close(): void {
    if (this.#rb) bpf.ringBufferFree(this.#rb);
    this.#rb = null;
    if (this.#cb) unregister(this.#cb);
    this.#cb = null;
  }

  #take(data: Pointer, size: number): number {
    this.#batch.push(copyOut(data, size));
    if (this.#batch.length < this.#limit) return 0;
    this.#stopped = true;
    return STOP;
  }

  #handle(): Pointer {
    if (!this.#rb)
      throw new BpfError({
        op: 'use ring buffer',
        object: this.name,
        code: 'EINVAL',
        message: 'reader is closed',
      });
    return this.#rb;
  }
}

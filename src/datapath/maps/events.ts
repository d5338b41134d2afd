// waggle_events: the ring buffer bpf_lxc and bpf_host write notifications into (record layouts
// in bpf/lib/notify.h), and waggle_events_lost: how many records did not fit. A ring buffer has
// no keys: its codec is marked non-iterable, so `waggle map list` shows it with 0 entries and
// `waggle map get waggle_events` prints no rows; records are read with a ring-buffer consumer.
import { BpfError } from '../../bpf/errors.js';
import { defineCodec } from '../../bpf/codec.js';

export const EVENTS_MAP = 'waggle_events';
/** EVENTS_RINGBUF_SIZE in notify.h: the ring's data size in bytes. */
export const EVENTS_RINGBUF_SIZE = 1 << 20;
export const EVENTS_LOST_MAP = 'waggle_events_lost';

const noKeys = (op: string) => () => {
  throw new BpfError({
    op,
    object: EVENTS_MAP,
    code: 'EINVAL',
    message: 'a ring buffer has no keys or values; read its records with a ring-buffer consumer',
  });
};

export const eventsCodec = defineCodec<never, never>({
  mapName: EVENTS_MAP,
  // A ring buffer's key and value sizes are 0 and its BTF declares no key or value type.
  key: { c: '(none)', size: 0 },
  value: { c: '(none)', size: 0 },
  iterable: false,
  encodeKey: noKeys('encode key'),
  decodeKey: noKeys('decode key'),
  encodeValue: noKeys('encode value'),
  decodeValue: noKeys('decode value'),
  columns: ['RECORDS'],
  row: () => [],
});

/** Ring-buffer reservations that failed, per CPU, summed by merge(). */
export const eventsLostCodec = defineCodec<number, bigint>({
  mapName: EVENTS_LOST_MAP,
  key: { c: '__u32', size: 4 },
  value: { c: '__u64', size: 8 },
  encodeKey(index) {
    if (index !== 0)
      throw new BpfError({
        op: 'encode',
        object: EVENTS_LOST_MAP,
        code: 'EINVAL',
        message: `key ${JSON.stringify(index)}: the only index is 0`,
      });
    return Buffer.alloc(4);
  },
  decodeKey: (buf) => buf.readUInt32LE(0),
  encodeValue(count) {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(count);
    return buf;
  },
  decodeValue: (buf) => buf.readBigUInt64LE(0),
  merge: (perCpu) => perCpu.reduce((a, b) => a + b, 0n),
  columns: ['LOST'],
  row: (_k, lost) => [String(lost)],
});

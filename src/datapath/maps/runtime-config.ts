// waggle_runtime_config: an ARRAY u32 → u64 of values the agent keeps current (Cilium's
// cilium_runtime_config layout). Index names as Cilium's Go constants.
import { BpfError } from '../../bpf/index.js';
import { defineCodec } from '../../bpf/codec.js';
import { checkU64, nameOf } from '../../bpf/codec-fields.js';

export const RUNTIME_CONFIG_MAP = 'waggle_runtime_config';
export const RUNTIME_CONFIG_MAX_ENTRIES = 256;

export const RuntimeConfigIndex = {
  /** Unix-time offset, in 512 ns units. */
  UTimeOffset: 0,
  /** The agent's last heartbeat: CLOCK_MONOTONIC ns, comparable with bpf_ktime_get_ns(). */
  AgentLiveness: 1,
  /** Non-zero: the datapath writes trace notifications to waggle_events (a monitor listens). */
  TraceEvents: 2,
  /** Non-zero: eBPF host routing (FIB redirect from bpf_lxc, delivery from from_netdev). */
  HostRouting: 3,
  /** LB_F_* bits (bpf/lib/lb4.h): 1 per-packet service LB, 2 NodePort from outside the node. */
  Lb: 4,
} as const;

export type RuntimeConfigName = keyof typeof RuntimeConfigIndex;

/** The name of an index, or its number for slots without one (as `cilium-dbg map get` prints). */
export function runtimeConfigName(index: number): string {
  return nameOf(RuntimeConfigIndex, index, String(index));
}

export const runtimeConfigCodec = defineCodec<number, bigint>({
  mapName: RUNTIME_CONFIG_MAP,
  key: { c: '__u32', size: 4 },
  value: { c: '__u64', size: 8 },
  encodeKey(index) {
    if (!Number.isInteger(index) || index < 0 || index >= RUNTIME_CONFIG_MAX_ENTRIES) {
      throw new BpfError({
        op: 'encode',
        object: RUNTIME_CONFIG_MAP,
        code: 'EINVAL',
        message: `key ${JSON.stringify(index)}: index must be 0..${RUNTIME_CONFIG_MAX_ENTRIES - 1}`,
      });
    }
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(index);
    return buf;
  },
  decodeKey: (buf) => buf.readUInt32LE(0),
  encodeValue(value) {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(checkU64(value, RUNTIME_CONFIG_MAP, 'value'));
    return buf;
  },
  decodeValue: (buf) => buf.readBigUInt64LE(0),
  // As `cilium-dbg map get cilium_runtime_config`: named slots by name, and only slots in use.
  columns: ['Key', 'Value'],
  row: (index, value) => [runtimeConfigName(index), String(value)],
  showRow: (index, value) => runtimeConfigName(index) !== String(index) || value !== 0n,
});

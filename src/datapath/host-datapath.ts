// The host datapath as the agent uses it: bpf_host.o loaded with its maps pinned by name under
// one directory, the tc program `from_netdev`, and a typed handle per map.
//
//   const dp = loadHostDatapath({ pinDir: '/sys/fs/bpf/waggle/node-1', maxLivenessNs: 15_000_000_000n });
//   dp.devices.set(ifindex, { mac });                                   // every attached device
//   dp.runtimeConfig.set(RuntimeConfigIndex.AgentLiveness, monotonicNs()); // every second
//   dp.responder.set({ ip: '10.0.10.0', ifindex }, { responsesSent: 0n }); // while leader
//   attachTc(dp.fromNetdev, ifindex, 'ingress');
//   dp.close(); // releases our fds; pins and attachments stay (their owners remove them)
//
// Maps already pinned in pinDir with the same definition are reused, so a restarted agent
// keeps its table; the liveness gate makes a stale table harmless meanwhile.
import { BpfError, BpfObject, type BpfProgram } from '../bpf/index.js';
import { type DeviceInfo, devicesCodec } from '../bpf/maps/devices.js';
import { dropsCodec } from '../bpf/maps/drops.js';
import { type L2ResponderKey, type L2ResponderStats, l2ResponderV4Codec } from '../bpf/maps/l2-responder.js';
import { runtimeConfigCodec } from '../bpf/maps/runtime-config.js';
import { TypedMap } from '../bpf/maps/typed-map.js';

export const HOST_OBJECT_PATH = 'build/bpf/bpf_host.o';
export const FROM_NETDEV = 'from_netdev';
export const MAX_LIVENESS_CONSTANT = 'l2_announcements_max_liveness';
/** The compiled default of l2_announcements_max_liveness: Cilium's default lease duration. */
export const DEFAULT_MAX_LIVENESS_NS = 15_000_000_000n;

export interface HostDatapathOptions {
  /** Defaults to build/bpf/bpf_host.o. */
  objPath?: string;
  /** Directory on a bpffs where the maps are pinned by name (created if missing). */
  pinDir: string;
  /** How old AgentLiveness may be before the responder stops answering: the lease duration. */
  maxLivenessNs: bigint;
}

export interface HostDatapath {
  readonly object: BpfObject;
  readonly fromNetdev: BpfProgram;
  readonly responder: TypedMap<L2ResponderKey, L2ResponderStats>;
  readonly runtimeConfig: TypedMap<number, bigint>;
  readonly devices: TypedMap<number, DeviceInfo>;
  /** Drops per reason (src/bpf/maps/drops.ts). */
  readonly drops: TypedMap<number, bigint>;
  readonly pinDir: string;
  close(): void;
}

export function loadHostDatapath(opts: HostDatapathOptions): HostDatapath {
  const { maxLivenessNs } = opts;
  if (typeof maxLivenessNs !== 'bigint' || maxLivenessNs <= 0n || maxLivenessNs > 0xffffffffffffffffn) {
    throw new BpfError({
      op: 'load host datapath',
      object: MAX_LIVENESS_CONSTANT,
      code: 'EINVAL',
      message: `maxLivenessNs ${String(maxLivenessNs)}: must be a bigint of nanoseconds, > 0`,
    });
  }
  const object = BpfObject.open(opts.objPath ?? HOST_OBJECT_PATH);
  try {
    const value = Buffer.alloc(8);
    value.writeBigUInt64LE(maxLivenessNs);
    object.setConstant(MAX_LIVENESS_CONSTANT, value);
    object.pinMapsIn(opts.pinDir);
    object.load();
    return {
      object,
      fromNetdev: object.program(FROM_NETDEV),
      responder: TypedMap.fromObject(object, l2ResponderV4Codec),
      runtimeConfig: TypedMap.fromObject(object, runtimeConfigCodec),
      devices: TypedMap.fromObject(object, devicesCodec),
      drops: TypedMap.fromObject(object, dropsCodec),
      pinDir: opts.pinDir,
      close: () => object.close(),
    };
  } catch (err) {
    object.close();
    throw err;
  }
}

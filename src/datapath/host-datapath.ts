// The host datapath as the agent uses it: bpf_host.o (spec in objects/host.ts) loaded through
// the generic loader with its maps pinned by name under one directory, and a typed handle per map.
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
import { BpfError, type BpfObject, type BpfProgram } from '../bpf/index.js';
import { type LoadedObject, loadObject } from '../bpf/loader.js';
import { type HostMasqueradeConfig, hostObject, masqueradeConstants } from './objects/host.js';

export const HOST_OBJECT_PATH = hostObject.path;
export const FROM_NETDEV = hostObject.programs.fromNetdev;
export const FROM_HOST = hostObject.programs.fromHost;
export const MAX_LIVENESS_CONSTANT = hostObject.constants.maxLiveness.name;
/** The compiled default of l2_announcements_max_liveness: Cilium's default lease duration. */
export const DEFAULT_MAX_LIVENESS_NS = 15_000_000_000n;

type HostMaps = LoadedObject<typeof hostObject>['maps'];

export interface HostDatapathOptions {
  /** Defaults to build/bpf/bpf_host.o. */
  objPath?: string;
  /** Directory on a bpffs where the maps are pinned by name (created if missing). */
  pinDir: string;
  /** How old AgentLiveness may be before the responder stops answering: the lease duration. */
  maxLivenessNs: bigint;
  /** eBPF masquerading (--enable-bpf-masquerade); absent: off. */
  masquerade?: HostMasqueradeConfig;
  /** max_entries of the maps bpf_host creates for the service LB; absent: compiled sizes. */
  mapSizes?: HostMapSizes;
}

/** The service and conntrack map sizes (--bpf-lb-map-max, --bpf-ct-global-tcp-max, --bpf-ct-global-any-max). */
export interface HostMapSizes {
  services: number;
  backends: number;
  reverseNat: number;
  ct4Tcp: number;
  ct4Any: number;
}

/** RUNTIME_CONFIG_LB's value (LB_F_* in bpf/lib/lb4.h). */
export function lbConfigBits(lb: { perPacket: boolean; nodePort: boolean }): bigint {
  return (lb.perPacket ? 1n : 0n) | (lb.perPacket && lb.nodePort ? 2n : 0n);
}

export interface HostDatapath extends HostMaps {
  readonly object: BpfObject;
  readonly fromNetdev: BpfProgram;
  /** tc egress of the native devices: eBPF masquerading. */
  readonly toNetdev: BpfProgram;
  /** tc egress of waggle_host: IPv4 for local endpoints straight to their lxc device. */
  readonly fromHost: BpfProgram;
  /** Every map of the object by its handle name, for registry-driven views. */
  readonly maps: HostMaps;
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
  const loaded = loadObject(hostObject, {
    ...(opts.objPath ? { path: opts.objPath } : {}),
    pinDir: opts.pinDir,
    constants: { maxLiveness: maxLivenessNs, ...masqueradeConstants(opts.masquerade) },
    ...(opts.mapSizes ? { maxEntries: opts.mapSizes } : {}),
  });
  return {
    ...loaded.maps,
    maps: loaded.maps,
    object: loaded.object,
    fromNetdev: loaded.programs.fromNetdev,
    toNetdev: loaded.programs.toNetdev,
    fromHost: loaded.programs.fromHost,
    pinDir: loaded.pinDir,
    close: loaded.close,
  };
}

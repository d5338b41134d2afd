// Kernel feature probes: whether a program type may call a helper, asked of the kernel itself
// (libbpf_probe_bpf_helper loads a one-instruction program calling it), as Cilium's
// pkg/datapath/linux/probes does before it picks a datapath mode.
import { BpfError } from './errors.js';
import { bpf } from './native.js';

export const ProgType = { SCHED_CLS: 3 } as const;

/** Helper ids of include/uapi/linux/bpf.h's __BPF_FUNC_MAPPER. */
export const BpfHelper = { fib_lookup: 69, redirect_neigh: 152, redirect_peer: 155 } as const;

export type BpfHelperName = keyof typeof BpfHelper;

/** true when `progType` programs may call `helper` on this kernel. */
export function probeHelper(progType: number, helper: BpfHelperName): boolean {
  const ret = bpf.probeHelper(progType, BpfHelper[helper], null) as number;
  if (ret < 0) throw new BpfError({ op: 'probe helper', object: `bpf_${helper}`, errno: -ret });
  return ret === 1;
}

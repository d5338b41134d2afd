// Which host routing the node gets (Cilium's --enable-host-legacy-routing, decided at start as in
// pkg/datapath/linux/probes and daemon/cmd/daemon.go): eBPF host routing only when asked for,
// when the kernel lets tc programs call every helper it uses, and when masquerading (if on) is
// eBPF too — iptables MASQUERADE sits in POSTROUTING, which redirected packets never reach.
// Legacy routing otherwise, with the reason said once in the log and in `waggle status`.
import { type BpfHelperName, ProgType, probeHelper } from '../bpf/index.js';

export const HOST_ROUTING_HELPERS: readonly BpfHelperName[] = [
  'fib_lookup',
  'redirect_neigh',
  'redirect_peer',
];

export interface HostRoutingChoice {
  mode: 'BPF' | 'Legacy';
  /** Why Legacy although BPF was asked for. */
  reason?: string;
}

export interface HostRoutingInputs {
  /** --enable-host-legacy-routing (default true). */
  legacyRequested: boolean;
  /** Helpers of HOST_ROUTING_HELPERS the kernel lacks. */
  missingHelpers: readonly string[];
  masquerade: 'bpf' | 'iptables' | 'disabled';
}

export function chooseHostRouting(i: HostRoutingInputs): HostRoutingChoice {
  if (i.legacyRequested) return { mode: 'Legacy' };
  if (i.missingHelpers.length > 0)
    return {
      mode: 'Legacy',
      reason: `the kernel lacks ${i.missingHelpers.map((h) => `bpf_${h}`).join(', ')} for tc programs`,
    };
  if (i.masquerade === 'iptables')
    return {
      mode: 'Legacy',
      reason:
        'iptables masquerading needs the host stack; eBPF host routing requires --enable-bpf-masquerade',
    };
  return { mode: 'BPF' };
}

/** The helpers of HOST_ROUTING_HELPERS this kernel lacks, asked of the kernel. */
export function missingHostRoutingHelpers(): string[] {
  return HOST_ROUTING_HELPERS.filter((h) => !probeHelper(ProgType.SCHED_CLS, h));
}

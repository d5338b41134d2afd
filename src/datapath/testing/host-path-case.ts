// A host-path case: eBPF host routing and masquerading, where one flow crosses several programs
// (a SYN out through to_netdev, its SYN-ACK back through from_netdev, …). The state the agent
// would have written, the steps in order, each with its frame and what must come out, and the
// NAT table and drop counters after the last step. The kernel side the FIB lookups see is the
// fixed netns of host-path-netns.ts.
import type { HostMasqueradeConfig } from '../objects/host.js';
import type { EndpointInfo } from '../maps/endpoints.js';
import type { NatEntry, NatTuple } from '../maps/snat.js';

export interface HostPathStep {
  program: 'fromContainer' | 'toNetdev' | 'fromNetdev';
  /** Frontends rewritten before this step, as the services module does on an EndpointSlice
   * change (a backend turning terminating: its state set, its slot gone). */
  before?: { frontends: LbFrontend[] };
  frame: Buffer;
  expect: { verdict: number; frame: Buffer | 'unchanged' };
}

export interface HostPathCase {
  name: string;
  why: string;
  setup: {
    /** RuntimeConfigIndex.HostRouting on. */
    hostRouting?: boolean;
    /** bpf_host loaded with eBPF masquerading; absent: off. */
    masquerade?: HostMasqueradeConfig;
    /** waggle_ipmasq_v4 prefixes. */
    ipmasq?: string[];
    /**
     * waggle_snat_v4_external rows already there (other flows). Their times are given as ages:
     * `idleSec` since the last packet (default 0: just now), `closedSec` since a FIN/RST.
     */
    snat?: Array<{
      key: NatTuple;
      value: Omit<NatEntry, 'created' | 'seen' | 'closing'>;
      idleSec?: number;
      closedSec?: number;
    }>;
    /** waggle_ipcache rows (prefix → identity). */
    ipcache?: Array<{ prefix: string; identity: number }>;
    /** waggle_lxc rows besides the pod's own. */
    endpoints?: Array<{ ip: string; info: EndpointInfo }>;
    /** RuntimeConfigIndex.Lb: the per-packet service LB (and NodePort). */
    lb?: { perPacket: boolean; nodePort: boolean };
    /** Service frontends as the services module writes them (master row, slots, backends). */
    frontends?: LbFrontend[];
    /** The conntrack maps' max_entries, when not the compiled sizes. */
    ctSizes?: { ct4Tcp: number; ct4Any: number };
    /** waggle_lb4_affinity rows: a client's last backend, `ageSec` ago. */
    affinity?: Array<{ client: string; revNat: number; backendId: number; ageSec: number }>;
  };
  steps: HostPathStep[];
  expect: {
    /** waggle_snat_v4_external after the steps, as `natEntryText` lines; default: as set up. */
    snat?: string[];
    /** Conntrack entries after the steps, as `ctEntryText` lines; default: not compared. */
    ct?: string[];
    /** At most this many conntrack entries after the steps (a full LRU map). */
    ctAtMost?: number;
    /** waggle_ct_stats after the steps: entries made (each new key once) and LRU evictions. */
    ctStats?: { made: number; evicted: number };
    /** waggle_drops after the steps; default none. */
    drops?: Array<{ reason: number; count: bigint }>;
  };
}

/** One frontend with its backends (IDs given: they appear in SERVICE entries). */
export interface LbFrontend {
  address: string;
  port: number;
  proto: number;
  /** SvcFlag bits. */
  flags: number;
  revNat: number;
  /** SvcFlag2 bits (two scopes). */
  flags2?: number;
  /** LB_LOOKUP_SCOPE_*: 0 external (default), 1 internal. */
  scope?: number;
  /** waggle_lb4_source_range rows for revNat. */
  sourceRanges?: string[];
  /** sessionAffinity timeout, seconds (SvcFlag.AFFINITY must be in flags). */
  affinityS?: number;
  /** A backend with a `state` other than active (BackendState) is in the backends map but in no
   * slot: a terminating pod kept for its established flows. */
  backends: Array<{ id: number; address: string; port: number; state?: number }>;
}

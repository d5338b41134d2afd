// A datapath test case: the state the agent would have written, one frame in, and what must
// come out. Cases live in src/datapath/cases/ and run through BPF_PROG_TEST_RUN (runner.ts).
import type { L2ResponderKey } from '../maps/l2-responder.js';

/** How AgentLiveness is set before the run, relative to the kernel's monotonic clock. */
export type LivenessSetup =
  | { kind: 'fresh' } // written just now
  | { kind: 'never' } // left at 0
  | { kind: 'age'; ns: bigint }; // written `ns` ago

export interface DatapathCase {
  name: string;
  /** Why this case exists: what behaviour it pins down. */
  why: string;
  frame: Buffer;
  /** skb fields. `ifindex` picks the device (default loopback, 1); `ingressIfindex` is skb_iif. */
  skb?: { ifindex?: number; ingressIfindex?: number };
  setup: {
    /** ifindex → MAC rows of waggle_devices. */
    devices?: Array<{ ifindex: number; mac: string }>;
    /** Programmed responder entries (counters start at 0). */
    responder?: L2ResponderKey[];
    liveness: LivenessSetup;
    /** l2_announcements_max_liveness; default the compiled 15 s. */
    maxLivenessNs?: bigint;
  };
  expect: {
    verdict: number;
    /** The frame after the program; 'unchanged' means byte-for-byte the input. */
    frame: Buffer | 'unchanged';
    /** responses_sent per programmed entry after the run; default every entry at 0. */
    responsesSent?: Array<{ key: L2ResponderKey; count: bigint }>;
    /** waggle_drops after the run; default empty. */
    drops?: Array<{ reason: number; count: bigint }>;
  };
}

// The timings the lab's agents run with. They are Cilium's defaults (lease 15 s, renew deadline
// 5 s, retry 2 s; the datapath's max liveness is the lease duration), so the failover the demo
// measures is the one the seed's cluster would show. They are passed explicitly, not left to
// the agent's defaults, so `components.json`, `ps` and the demo all show what the lab runs.
// WAGGLE_LAB_AGENT_FLAGS (components.ts) comes after them and so overrides them (e.g. for the
// benchmarks, or a faster demo).
import type { Capabilities } from './components.js';

export const AGENT_TIMINGS = {
  leaseDuration: { flag: '--l2-announcements-lease-duration', value: '15s' },
  renewDeadline: { flag: '--l2-announcements-renew-deadline', value: '5s' },
  retryPeriod: { flag: '--l2-announcements-retry-period', value: '2s' },
  livenessInterval: { flag: '--agent-liveness-update-interval', value: '1s' },
} as const;

/** The timing flags this build's agent understands (a build without one keeps its default). */
export function agentTimingArgs(caps: Capabilities): string[] {
  return Object.values(AGENT_TIMINGS).flatMap((t) =>
    caps.agentOptions.has(t.flag) ? [t.flag, t.value] : [],
  );
}

/** One line for people: what the agents were told. */
export function describeAgentTimings(): string {
  const t = AGENT_TIMINGS;
  return (
    `lease ${t.leaseDuration.value} (also the datapath's max liveness), renew deadline ` +
    `${t.renewDeadline.value}, retry ${t.retryPeriod.value}, liveness written every ${t.livenessInterval.value}`
  );
}

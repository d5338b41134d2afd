// no-unexpected-packet-drops, as cilium-cli's check of cilium_drop_count_total
// (cilium-cli/connectivity/tests/errors.go, NoUnexpectedPacketDrops): the datapath's drop
// counters (waggle_metrics, read through each node's agent) before and after the run; any drop
// reason that grew and is not on the expected list fails the test. The expected list is
// cilium-cli's defaults.ExpectedDropReasons, as far as waggle's datapath has those reasons.
import { fetchMap } from '../../agent/api-client.js';
import { METRICS_MAP } from '../../datapath/maps/metrics.js';
import { agentSocket } from '../paths.js';

export const EXPECTED_DROPS: readonly string[] = [
  'Policy denied',
  'Policy denied by denylist',
  'Unsupported L3 protocol',
  'Stale or unroutable IP',
  'Authentication required',
  'Service backend not found',
  'Unsupported protocol for NAT masquerade',
  'Invalid source ip',
  'Unknown L3 target address',
  'Host datapath not ready',
  'Unknown ICMPv4 code',
];

/** Reasons below Cilium's first drop code (130) count forwarded packets, not drops. */
const NOT_DROPS = new Set(['Success', 'Interface']);

/** Packets per "reason (direction)" on one node, or why they could not be read. */
export type DropCounts = Map<string, bigint> | { error: string };

export async function readDrops(node: string): Promise<DropCounts> {
  try {
    const m = await fetchMap(agentSocket(node), METRICS_MAP);
    const ri = m.columns.indexOf('REASON');
    const di = m.columns.indexOf('DIRECTION');
    const pi = m.columns.indexOf('PACKETS');
    const out = new Map<string, bigint>();
    for (const row of m.rows) {
      const reason = row[ri] ?? '';
      if (NOT_DROPS.has(reason)) continue;
      const key = `${reason} (${(row[di] ?? '').toLowerCase()})`;
      out.set(key, (out.get(key) ?? 0n) + BigInt(row[pi] ?? '0'));
    }
    return out;
  } catch (e) {
    return { error: `${node}: metrics not readable through the agent (${(e as Error).message})` };
  }
}

/** What grew unexpectedly, one line per node and reason; empty when nothing did. */
export function unexpectedGrowth(node: string, before: DropCounts, after: DropCounts): string[] {
  if (!(before instanceof Map)) return [before.error];
  if (!(after instanceof Map)) return [after.error];
  const out: string[] = [];
  for (const [key, n] of after) {
    const grew = n - (before.get(key) ?? 0n);
    const reason = key.replace(/ \([a-z]*\)$/, '');
    if (grew > 0n && !EXPECTED_DROPS.includes(reason)) out.push(`${node}: ${key} grew by ${grew} packets`);
  }
  return out;
}

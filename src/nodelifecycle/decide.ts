// The node lifecycle controller's decision, pure: given a Node and the time, is its Ready
// condition to become Unknown? It follows tryUpdateNodeHealth in Kubernetes'
// pkg/controller/nodelifecycle/node_lifecycle_controller.go:
// - stale when now is strictly after lastHeartbeatTime + grace period;
// - a stale Ready condition becomes Unknown, reason NodeStatusUnknown, lastHeartbeatTime kept,
//   lastTransitionTime now; one that is already Unknown is left alone (no write);
// - a node that never posted Ready is measured from its creationTimestamp and gets a new Ready
//   condition, reason NodeStatusNeverUpdated, with lastHeartbeatTime = creationTimestamp.
// The messages replace upstream's "Kubelet" with "waggle agent", the component that posts the
// heartbeat here (src/agent/node-heartbeat.ts); the rest of each sentence is upstream's, so that
// searches for it find the Kubernetes documentation of the same state.
//
// Two differences, both deliberate. Upstream compares against the controller's own clock at the
// moment it *saw* the heartbeat change (probeTimestamp), which tolerates skew between node and
// controller clocks; waggle compares the heartbeat's own value with the operator's clock, so it
// needs node clocks roughly in sync (NTP) but keeps no state and gives the same answer after an
// operator restart. Upstream also gives never-posted nodes a separate, longer
// --node-startup-grace-period (60 s); waggle's agent posts Ready in the same start() that
// registers the Node, so one grace period serves both.
import { type Node, type NodeCondition, setNodeCondition } from '../api/index.js';

/** kube-controller-manager --node-monitor-period. */
export const DEFAULT_NODE_MONITOR_PERIOD_MS = 5_000;
/**
 * kube-controller-manager --node-monitor-grace-period: 40 s up to Kubernetes 1.31; 1.32 raised it
 * to 50 s (kubernetes/kubernetes#126287) for HTTP/2 keepalive delays an etcd client does not have.
 */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = 40_000;

export const NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const NODE_STATUS_UNKNOWN_MESSAGE = 'waggle agent stopped posting node status.';
export const NODE_STATUS_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const NODE_STATUS_NEVER_UPDATED_MESSAGE = 'waggle agent never posted node status.';

export type NodeHealthDecision =
  | { action: 'keep'; why: 'fresh' | 'already-unknown'; heartbeatAgeMs: number }
  | { action: 'mark-unknown'; conditions: NodeCondition[]; heartbeatAgeMs: number };

function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function decideNodeHealth(node: Node, nowMs: number, gracePeriodMs: number): NodeHealthDecision {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const created = node.metadata.creationTimestamp;
  // A Ready condition without a readable heartbeat counts from creation, like a never-posted one.
  const heartbeatMs = parseTime(ready?.lastHeartbeatTime) ?? parseTime(created) ?? 0;
  const heartbeatAgeMs = nowMs - heartbeatMs;
  if (!(nowMs > heartbeatMs + gracePeriodMs)) return { action: 'keep', why: 'fresh', heartbeatAgeMs };
  if (ready?.status === 'Unknown') return { action: 'keep', why: 'already-unknown', heartbeatAgeMs };
  const nowIso = new Date(nowMs).toISOString();
  const lastHeartbeatTime = ready ? ready.lastHeartbeatTime : created;
  const conditions = setNodeCondition(
    node.status?.conditions,
    {
      type: 'Ready',
      status: 'Unknown',
      reason: ready ? NODE_STATUS_UNKNOWN : NODE_STATUS_NEVER_UPDATED,
      message: ready ? NODE_STATUS_UNKNOWN_MESSAGE : NODE_STATUS_NEVER_UPDATED_MESSAGE,
      ...(lastHeartbeatTime !== undefined ? { lastHeartbeatTime } : {}),
    },
    nowIso,
  );
  return { action: 'mark-unknown', conditions, heartbeatAgeMs };
}

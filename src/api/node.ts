// v1 Node: what the L2 announcer selects on (labels) and what `get nodes` shows (Ready
// condition, roles from node-role.kubernetes.io/* labels, addresses).
import { z } from 'zod';
import { ObjectName, objectMeta } from './meta.js';

// An RFC 3339 time with an offset or Z and any fraction: metav1.Time writes whole seconds, the
// agent writes milliseconds so that sub-second test periods are measurable (MicroTime-like).
const Rfc3339 = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 time, e.g. 2025-01-01T00:00:00Z',
});

/** v1.NodeCondition: unlike metav1.Condition it carries a heartbeat besides the transition. */
const NodeConditionSchema = z.strictObject({
  type: z.string().min(1, 'must not be empty'),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastHeartbeatTime: Rfc3339.optional(),
  lastTransitionTime: Rfc3339.optional(),
});
export type NodeCondition = z.infer<typeof NodeConditionSchema>;

export const NodeSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Node'),
  metadata: objectMeta(ObjectName),
  spec: z
    .strictObject({
      podCIDR: z.string().optional(),
      podCIDRs: z.array(z.string()).optional(),
      providerID: z.string().optional(),
      unschedulable: z.boolean().optional(),
      taints: z
        .array(
          z.strictObject({
            key: z.string().min(1),
            value: z.string().optional(),
            effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
          }),
        )
        .optional(),
    })
    .default({}),
  status: z
    .strictObject({
      addresses: z
        .array(
          z.strictObject({
            type: z.enum(['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS']),
            address: z.string().min(1),
          }),
        )
        .optional(),
      conditions: z.array(NodeConditionSchema).optional(),
    })
    .optional(),
});
export type Node = z.infer<typeof NodeSchema>;

/**
 * Replaces (or appends) the condition of `next.type`, as Kubernetes' SetStatusCondition and the
 * kubelet's condition setters do: lastTransitionTime moves to `nowIso` only when the status
 * changes (or the condition is new); otherwise the stored one is kept. Other conditions and the
 * order are left alone. Returns a new array.
 */
export function setNodeCondition(
  conditions: readonly NodeCondition[] | undefined,
  next: Omit<NodeCondition, 'lastTransitionTime'>,
  nowIso: string,
): NodeCondition[] {
  const list = [...(conditions ?? [])];
  const at = list.findIndex((c) => c.type === next.type);
  const old = at >= 0 ? list[at] : undefined;
  const lastTransitionTime =
    old && old.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : nowIso;
  const merged: NodeCondition = { ...next, lastTransitionTime };
  if (at >= 0) list[at] = merged;
  else list.push(merged);
  return list;
}

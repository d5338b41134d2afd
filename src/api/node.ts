// v1 Node: what the L2 announcer selects on (labels) and what `get nodes` shows (Ready
// condition, roles from node-role.kubernetes.io/* labels, addresses).
import { z } from 'zod';
import { ObjectName, objectMeta } from './meta.js';

const NodeCondition = z.strictObject({
  type: z.string().min(1),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastHeartbeatTime: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

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
      conditions: z.array(NodeCondition).optional(),
    })
    .optional(),
});
export type Node = z.infer<typeof NodeSchema>;

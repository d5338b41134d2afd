// v1 Pod: the spec (pod-spec.ts) and the status the kubelet writes, shaped as core/v1 PodStatus
// (phase, conditions, podIP(s), hostIP, container states and restart counts), so `get pods`
// prints what kubectl prints and the agent reads labels as from a real cluster.
import { z } from 'zod';
import { ObjectName, objectMeta } from './meta.js';
import { PodSpecSchema } from './pod-spec.js';

/** v1.PodCondition: unlike metav1.Condition, reason and message are optional. */
const PodConditionSchema = z.strictObject({
  type: z.string().min(1),
  status: z.enum(['True', 'False', 'Unknown']),
  lastProbeTime: z.string().nullable().optional(),
  lastTransitionTime: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type PodCondition = z.infer<typeof PodConditionSchema>;

const ContainerState = z.strictObject({
  waiting: z.strictObject({ reason: z.string().optional(), message: z.string().optional() }).optional(),
  running: z.strictObject({ startedAt: z.string().optional() }).optional(),
  terminated: z
    .strictObject({
      exitCode: z.number().int(),
      signal: z.number().int().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
    })
    .optional(),
});
export type ContainerState = z.infer<typeof ContainerState>;

const ContainerStatusSchema = z.strictObject({
  name: z.string(),
  image: z.string(),
  imageID: z.string().optional(),
  containerID: z.string().optional(),
  ready: z.boolean(),
  started: z.boolean().optional(),
  restartCount: z.number().int().nonnegative(),
  state: ContainerState.optional(),
  lastState: ContainerState.optional(),
});
export type ContainerStatus = z.infer<typeof ContainerStatusSchema>;

const IpEntry = z.strictObject({ ip: z.string() });

export const PodStatusSchema = z.strictObject({
  phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).optional(),
  conditions: z.array(PodConditionSchema).optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  hostIP: z.string().optional(),
  hostIPs: z.array(IpEntry).optional(),
  podIP: z.string().optional(),
  podIPs: z.array(IpEntry).optional(),
  startTime: z.string().optional(),
  nominatedNodeName: z.string().optional(),
  containerStatuses: z.array(ContainerStatusSchema).optional(),
  qosClass: z.enum(['Guaranteed', 'Burstable', 'BestEffort']).optional(),
});
export type PodStatus = z.infer<typeof PodStatusSchema>;

export const PodSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Pod'),
  metadata: objectMeta(ObjectName),
  spec: PodSpecSchema,
  status: PodStatusSchema.optional(),
});
export type Pod = z.infer<typeof PodSchema>;

/** A pod counts as ready when its Ready condition is True (what EndpointSlices and `get` read). */
export function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

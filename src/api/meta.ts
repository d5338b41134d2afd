// The pieces every object shares: metadata, label selectors and status conditions, shaped as in
// Kubernetes (metav1.ObjectMeta, metav1.LabelSelector, metav1.Condition). Objects are strict:
// an unknown field is an error with its path, never silently dropped.
import type { StatusCondition } from '../lib/conditions.js';
import { z } from 'zod';

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const label1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Most kinds: a DNS-1123 subdomain (lower case, digits, '-', '.'; at most 253 characters). */
export const ObjectName = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .regex(subdomain, "must be a DNS-1123 subdomain (lower case letters, digits, '-' and '.')");

/** Services: a DNS-1035 label (starts with a letter; at most 63 characters). */
export const ServiceName = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(label1035, "must be a DNS-1035 label (lower case letters, digits and '-', starting with a letter)");

export const NamespaceName = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(label1123, "must be a DNS-1123 label (lower case letters, digits and '-')");

const StringMap = z.record(z.string(), z.string());

/** metav1.OwnerReference: who created the object (a ReplicaSet for its Pods), for GC and adoption. */
export const OwnerReferenceSchema = z.strictObject({
  apiVersion: z.string().min(1, 'must not be empty'),
  kind: z.string().min(1, 'must not be empty'),
  name: z.string().min(1, 'must not be empty'),
  uid: z.string().min(1, 'must not be empty'),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof OwnerReferenceSchema>;

export function objectMeta<N extends z.ZodType<string>>(name: N) {
  return z.strictObject({
    name,
    namespace: NamespaceName.optional(),
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().int().nonnegative().optional(),
    creationTimestamp: z.string().optional(),
    // Graceful deletion (Pods): set instead of removing the object; the kubelet deletes it for good.
    deletionTimestamp: z.string().optional(),
    deletionGracePeriodSeconds: z.number().int().nonnegative().optional(),
    ownerReferences: z.array(OwnerReferenceSchema).optional(),
  });
}

export const ObjectMetaSchema = objectMeta(ObjectName);
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

export const selectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

// The operator is an enum in Cilium's CRD schema, so a bad one is refused at apply. Whether the
// values fit the operator is checked where the selector is used (labelSelectorMatches), as
// Cilium's agent does, which reports it as a condition instead.
export const LabelSelectorSchema = z.strictObject({
  matchLabels: StringMap.optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1, 'must not be empty'),
        operator: z.enum(selectorOperators),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

export const ConditionSchema = z.strictObject({
  type: z.string().min(1, 'must not be empty'),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.number().int().nonnegative().optional(),
  lastTransitionTime: z.string(),
  reason: z.string(),
  message: z.string(),
});
export type Condition = z.infer<typeof ConditionSchema>;

/** The slice of a Condition that controllers read and compare (stored ones have every field). */
export type ConditionLike = StatusCondition;

// One timestamp format for conditions and creationTimestamp; it lives with the conditions.
export { rfc3339Seconds } from '../lib/conditions.js';

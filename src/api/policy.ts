// cilium.io/v2alpha1 CiliumL2AnnouncementPolicy (Cilium's pkg/k8s/apis/cilium.io/v2alpha1/l2announcement_types.go). Both booleans default to false,
// in which case the policy selects nothing. Interface regexes are not checked here: Cilium
// accepts any string and its agent reports io.cilium/bad-interface-regex.
import { z } from 'zod';
import { ConditionSchema, LabelSelectorSchema, ObjectName, objectMeta } from './meta.js';

export const CiliumL2AnnouncementPolicySchema = z.strictObject({
  apiVersion: z.literal('cilium.io/v2alpha1'),
  kind: z.literal('CiliumL2AnnouncementPolicy'),
  metadata: objectMeta(ObjectName),
  spec: z
    .strictObject({
      nodeSelector: LabelSelectorSchema.optional(),
      serviceSelector: LabelSelectorSchema.optional(),
      loadBalancerIPs: z.boolean().default(false),
      externalIPs: z.boolean().default(false),
      interfaces: z.array(z.string()).optional(),
    })
    .default({ loadBalancerIPs: false, externalIPs: false }),
  status: z.strictObject({ conditions: z.array(ConditionSchema).optional() }).optional(),
});
export type CiliumL2AnnouncementPolicy = z.infer<typeof CiliumL2AnnouncementPolicySchema>;

// CiliumLoadBalancerIPPool, cilium.io/v2alpha1 and cilium.io/v2 (identical schemas; reference
// §3.2). A block is a `cidr` or a `start` with an optional `stop` (omitted = one address).
// `cidrs` was removed in Cilium 1.16 and is refused with a pointer to `blocks`.
import { z } from 'zod';
import { ConditionSchema, LabelSelectorSchema, ObjectName, objectMeta } from './meta.js';
import { parseAddr, parsePrefix } from '../lib/ip.js';

const Block = z
  .strictObject({
    cidr: z.string().optional(),
    start: z.string().optional(),
    stop: z.string().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.cidr !== undefined) {
      if (b.start !== undefined || b.stop !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['cidr'], message: 'give either cidr or start/stop, not both' });
      }
      const parsed = parsePrefix(b.cidr);
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', path: ['cidr'], message: `"${b.cidr}": ${parsed.error}` });
      }
      return;
    }
    if (b.start === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a block needs cidr or start' });
      return;
    }
    const start = parseAddr(b.start);
    if (!start)
      ctx.addIssue({ code: 'custom', path: ['start'], message: `"${b.start}" is not an IP address` });
    if (b.stop === undefined || !start) return;
    const stop = parseAddr(b.stop);
    if (!stop) {
      ctx.addIssue({ code: 'custom', path: ['stop'], message: `"${b.stop}" is not an IP address` });
    } else if (stop.family !== start.family) {
      ctx.addIssue({
        code: 'custom',
        path: ['stop'],
        message: `"${b.stop}" is not the same family as start`,
      });
    } else if (stop.value < start.value) {
      ctx.addIssue({ code: 'custom', path: ['stop'], message: `"${b.stop}" is before start "${b.start}"` });
    }
  });

const PoolSpec = z.strictObject({
  blocks: z.array(Block).default([]),
  cidrs: z
    .unknown()
    .optional()
    .refine((v) => v === undefined, { error: 'removed in Cilium 1.16; use spec.blocks' }),
  serviceSelector: LabelSelectorSchema.optional(),
  allowFirstLastIPs: z.enum(['Yes', 'No']).optional(),
  disabled: z.boolean().default(false),
});

export const CiliumLoadBalancerIPPoolSchema = z.strictObject({
  apiVersion: z.enum(['cilium.io/v2alpha1', 'cilium.io/v2']),
  kind: z.literal('CiliumLoadBalancerIPPool'),
  metadata: objectMeta(ObjectName),
  spec: PoolSpec.transform(({ cidrs: _removed, ...rest }) => rest).default({ blocks: [], disabled: false }),
  status: z.strictObject({ conditions: z.array(ConditionSchema).optional() }).optional(),
});
export type CiliumLoadBalancerIPPool = z.infer<typeof CiliumLoadBalancerIPPoolSchema>;

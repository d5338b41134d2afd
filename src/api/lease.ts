// coordination.k8s.io/v1 Lease: the record client-go leader election reads and CASes. Times are
// MicroTime strings (RFC 3339 with microseconds), kept as written.
import { z } from 'zod';
import { ObjectName, objectMeta } from './meta.js';

const count = z.number().int('must be a whole number').min(0, 'must not be negative');

export const LeaseSchema = z.strictObject({
  apiVersion: z.literal('coordination.k8s.io/v1'),
  kind: z.literal('Lease'),
  metadata: objectMeta(ObjectName),
  spec: z
    .strictObject({
      holderIdentity: z.string().optional(),
      leaseDurationSeconds: count.optional(),
      acquireTime: z.string().optional(),
      renewTime: z.string().optional(),
      leaseTransitions: count.optional(),
      strategy: z.string().optional(),
      preferredHolder: z.string().optional(),
    })
    .default({}),
});
export type Lease = z.infer<typeof LeaseSchema>;

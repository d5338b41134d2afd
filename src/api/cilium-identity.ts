// cilium.io/v2 CiliumIdentity: one cluster-wide security identity, named by its number
// ("19520"); `security-labels` (source:key → value, e.g. `k8s:app` → `web`) is the set that
// defines it. As in Cilium, metadata.labels repeats the k8s-source labels without the prefix so
// `get ciliumid -l app=web` works, and the printer's NAMESPACE column reads from them.
import { z } from 'zod';
import { objectMeta } from './meta.js';

/** Cilium's global identity range (`cilium-dbg status`: "Global Identity Range: min 256, max 65535"). */
export const MIN_GLOBAL_IDENTITY = 256;
export const MAX_GLOBAL_IDENTITY = 65535;

// Identities are 24 bits in the datapath (cluster ID in the upper 8 of 32 is not used here).
const IdentityName = z.string().superRefine((s, ctx) => {
  if (!/^[1-9][0-9]{0,7}$/.test(s))
    ctx.addIssue({ code: 'custom', message: 'must be the numeric identity, e.g. "19520"' });
  else if (Number(s) > 0xffffff) ctx.addIssue({ code: 'custom', message: 'must be at most 16777215' });
});

export const CiliumIdentitySchema = z.strictObject({
  apiVersion: z.literal('cilium.io/v2'),
  kind: z.literal('CiliumIdentity'),
  metadata: objectMeta(IdentityName),
  'security-labels': z.record(z.string().min(1, 'a label key must not be empty'), z.string()),
});
export type CiliumIdentity = z.infer<typeof CiliumIdentitySchema>;

// v1 Secret: Opaque and kubernetes.io/tls. A TLS secret must carry tls.crt and tls.key, as the
// API server requires (pkg/apis/core/validation ValidateSecret). data values are base64, checked
// here so a bad one is refused at apply with its key in the path.
import { z } from 'zod';
import { ObjectName, objectMeta } from './meta.js';

const base64 = z
  .string()
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');

export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';

export const SecretSchema = z
  .strictObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('Secret'),
    metadata: objectMeta(ObjectName),
    type: z.string().min(1).default('Opaque'),
    data: z.record(z.string(), base64).optional(),
    stringData: z.record(z.string(), z.string()).optional(),
    immutable: z.boolean().optional(),
  })
  // stringData is write-only in Kubernetes: merged into data (base64) and never stored.
  .transform(({ stringData, ...s }) =>
    stringData
      ? {
          ...s,
          data: {
            ...s.data,
            ...Object.fromEntries(
              Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
          },
        }
      : s,
  )
  .superRefine((s, ctx) => {
    if (s.type !== 'kubernetes.io/tls') return;
    for (const key of [TLS_CERT_KEY, TLS_KEY_KEY])
      if (!s.data?.[key])
        ctx.addIssue({ code: 'custom', path: ['data', key], message: 'required for type kubernetes.io/tls' });
  });
export type Secret = z.infer<typeof SecretSchema>;

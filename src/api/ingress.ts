// networking.k8s.io/v1 Ingress and IngressClass, the fields an ingress controller reads
// (k8s.io/api/networking/v1/types.go). Paths and pathTypes are checked as the API server's
// validation does (pkg/apis/networking/validation/validation.go): a path starts with '/', and
// Exact/Prefix paths carry no '//' nor regex-like characters a proxy could misread.
import { z } from 'zod';
import { ConditionSchema, ObjectName, objectMeta } from './meta.js';

const portNumber = z.number().int().min(1, 'must be 1..65535').max(65535, 'must be 1..65535');

const ServiceBackend = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  port: z
    .strictObject({ number: portNumber.optional(), name: z.string().min(1).optional() })
    .refine((p) => (p.number === undefined) !== (p.name === undefined), {
      message: 'exactly one of number or name is required',
    }),
});

const Backend = z.strictObject({ service: ServiceBackend });
export type IngressBackend = z.infer<typeof Backend>;

/** A lower-case DNS name, optionally with one leading `*.` label (networking/v1 IngressRule.host). */
const hostRe = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const Host = z.string().regex(hostRe, 'must be a DNS name (lower case), optionally starting with "*."');

const HttpPath = z
  .strictObject({
    path: z.string().default('/'),
    pathType: z.enum(['Exact', 'Prefix', 'ImplementationSpecific']),
    backend: Backend,
  })
  .superRefine((p, ctx) => {
    if (!p.path.startsWith('/'))
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'must start with "/"' });
    // HAProxy config lines are whitespace-separated; these could never match a request path anyway.
    else if (/[\s"'#\\]/.test(p.path))
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message: 'must not contain whitespace, quotes, "#" or "\\"',
      });
    else if (p.pathType !== 'ImplementationSpecific' && p.path.includes('//'))
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'must not contain "//"' });
  });
export type IngressPath = z.infer<typeof HttpPath>;

const Rule = z.strictObject({
  host: Host.optional(),
  http: z.strictObject({ paths: z.array(HttpPath).min(1, 'must have at least one path') }).optional(),
});
export type IngressRule = z.infer<typeof Rule>;

const Tls = z.strictObject({
  hosts: z.array(Host).optional(),
  secretName: z.string().min(1, 'must not be empty').optional(),
});

const IngressSpec = z
  .strictObject({
    ingressClassName: z.string().min(1, 'must not be empty').optional(),
    defaultBackend: Backend.optional(),
    rules: z.array(Rule).optional(),
    tls: z.array(Tls).optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.defaultBackend && !(s.rules ?? []).some((r) => r.http))
      ctx.addIssue({
        code: 'custom',
        path: ['rules'],
        message: 'either defaultBackend or rules must be specified',
      });
  });

const LoadBalancerIngress = z.strictObject({
  ip: z.string().optional(),
  hostname: z.string().optional(),
  ports: z
    .array(
      z.strictObject({
        port: portNumber,
        protocol: z.enum(['TCP', 'UDP', 'SCTP']),
        error: z.string().optional(),
      }),
    )
    .optional(),
});

export const IngressSchema = z.strictObject({
  apiVersion: z.literal('networking.k8s.io/v1'),
  kind: z.literal('Ingress'),
  metadata: objectMeta(ObjectName),
  spec: IngressSpec,
  status: z
    .strictObject({
      loadBalancer: z.strictObject({ ingress: z.array(LoadBalancerIngress).optional() }).optional(),
      // waggle's addition (networking/v1 has none): Accepted=False with the reason a controller
      // refused the Ingress, where Kubernetes would emit an Event.
      conditions: z.array(ConditionSchema).optional(),
    })
    .optional(),
});
export type Ingress = z.infer<typeof IngressSchema>;

/** The annotation that makes an IngressClass the default for Ingresses naming none. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export const IngressClassSchema = z.strictObject({
  apiVersion: z.literal('networking.k8s.io/v1'),
  kind: z.literal('IngressClass'),
  metadata: objectMeta(ObjectName),
  spec: z
    .strictObject({
      controller: z.string().min(1, 'must not be empty').optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
});
export type IngressClass = z.infer<typeof IngressClassSchema>;

// discovery.k8s.io/v1 EndpointSlice: a Service's backends as the EndpointSlice controller writes
// them (the `kubernetes.io/service-name` label names the Service), with the ready / serving /
// terminating conditions of KEP-1672 and the pod each address belongs to.
import { z } from 'zod';
import { parseAddr } from '../lib/ip.js';
import { ObjectName, objectMeta } from './meta.js';

/** The label that ties a slice to its Service (discovery.k8s.io/v1 LabelServiceName). */
export const SLICE_SERVICE_LABEL = 'kubernetes.io/service-name';
/** The label naming the controller that manages a slice (LabelManagedBy). */
export const SLICE_MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

const Endpoint = z.strictObject({
  addresses: z
    .array(
      z.string().refine((s) => parseAddr(s) !== undefined, {
        error: (iss) => `"${String(iss.input)}" is not an IP address`,
      }),
    )
    .min(1, 'must have at least one address')
    .max(100, 'at most 100 addresses'),
  conditions: z
    .strictObject({
      ready: z.boolean().optional(),
      serving: z.boolean().optional(),
      terminating: z.boolean().optional(),
    })
    .default({}),
  hostname: z.string().optional(),
  nodeName: z.string().optional(),
  zone: z.string().optional(),
  targetRef: z
    .strictObject({
      kind: z.string().optional(),
      namespace: z.string().optional(),
      name: z.string().optional(),
      uid: z.string().optional(),
      apiVersion: z.string().optional(),
      resourceVersion: z.string().optional(),
    })
    .optional(),
});
export type SliceEndpoint = z.infer<typeof Endpoint>;

const SlicePort = z.strictObject({
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
  port: z.number().int().min(1, 'must be 1..65535').max(65535, 'must be 1..65535').optional(),
  appProtocol: z.string().optional(),
});
export type SlicePort = z.infer<typeof SlicePort>;

export const EndpointSliceSchema = z.strictObject({
  apiVersion: z.literal('discovery.k8s.io/v1'),
  kind: z.literal('EndpointSlice'),
  metadata: objectMeta(ObjectName),
  addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
  endpoints: z.array(Endpoint).max(1000, 'at most 1000 endpoints').default([]),
  ports: z.array(SlicePort).optional(),
});
export type EndpointSlice = z.infer<typeof EndpointSliceSchema>;

// cilium.io/v2 CiliumEndpoint: one per pod, same name and namespace, written by the agent of the
// pod's node. Only a status, as in Cilium (EndpointStatus in pkg/k8s/apis/cilium.io/v2
// types.go), with its field names: `external-identifiers`, `named-ports` are kebab-case there.
import { z } from 'zod';
import { IpString } from './cilium-fields.js';
import { ObjectName, objectMeta } from './meta.js';

/** Cilium's CRD enum for status.state. */
export const endpointStates = [
  'creating',
  'waiting-for-identity',
  'not-ready',
  'waiting-to-regenerate',
  'regenerating',
  'restoring',
  'ready',
  'disconnecting',
  'disconnected',
  'invalid',
] as const;

const PolicyDirection = z.strictObject({
  enforcing: z.boolean(),
  state: z.string().optional(),
});

const EndpointStatus = z.strictObject({
  id: z.number().int().nonnegative().optional(),
  'external-identifiers': z
    .strictObject({
      'cni-attachment-id': z.string().optional(),
      'container-id': z.string().optional(),
      'container-name': z.string().optional(),
      'k8s-namespace': z.string().optional(),
      'k8s-pod-name': z.string().optional(),
      'pod-name': z.string().optional(),
    })
    .optional(),
  identity: z
    .strictObject({
      id: z.number().int().nonnegative(),
      labels: z.array(z.string()).optional(),
    })
    .optional(),
  networking: z
    .strictObject({
      addressing: z.array(z.strictObject({ ipv4: IpString.optional(), ipv6: IpString.optional() })),
      /** The node's IP, reachable from other nodes (Cilium's EndpointNetworking.NodeIP). */
      node: IpString.optional(),
    })
    .optional(),
  encryption: z.strictObject({ key: z.number().int().nonnegative().optional() }).optional(),
  policy: z
    .strictObject({ ingress: PolicyDirection.optional(), egress: PolicyDirection.optional() })
    .optional(),
  state: z.enum(endpointStates).optional(),
  'named-ports': z
    .array(
      z.strictObject({
        name: z.string().optional(),
        port: z.number().int().min(1).max(65535),
        protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'ANY']).optional(),
      }),
    )
    .optional(),
});

export const CiliumEndpointSchema = z.strictObject({
  apiVersion: z.literal('cilium.io/v2'),
  kind: z.literal('CiliumEndpoint'),
  metadata: objectMeta(ObjectName),
  status: EndpointStatus.optional(),
});
export type CiliumEndpoint = z.infer<typeof CiliumEndpointSchema>;

// v1 Service: the fields LB-IPAM and the L2 announcer read, plus the ones a typical manifest
// carries. Defaults follow the API server: type ClusterIP, protocol TCP, and
// externalTrafficPolicy Cluster for NodePort and LoadBalancer services.
import { z } from 'zod';
import { ConditionSchema, objectMeta, ServiceName } from './meta.js';
import { parseAddr } from '../lib/ip.js';

const ipAddress = z.string().refine((s) => parseAddr(s) !== undefined, {
  error: (iss) => `"${String(iss.input)}" is not an IPv4 or IPv6 address`,
});
const portNumber = z.number().int().min(1, 'must be 1..65535').max(65535, 'must be 1..65535');

const ServicePort = z.strictObject({
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
  appProtocol: z.string().optional(),
  port: portNumber,
  targetPort: z.union([portNumber, z.string().min(1)]).optional(),
  nodePort: portNumber.optional(),
});

const ServiceSpec = z
  .strictObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).default('ClusterIP'),
    clusterIP: z.union([z.literal(''), z.literal('None'), ipAddress]).optional(),
    clusterIPs: z.array(z.union([z.literal('None'), ipAddress])).optional(),
    ports: z.array(ServicePort).optional(),
    selector: z.record(z.string(), z.string()).optional(),
    externalIPs: z.array(ipAddress).optional(),
    externalName: z.string().optional(),
    loadBalancerIP: z.union([z.literal(''), ipAddress]).optional(),
    loadBalancerClass: z.string().min(1).optional(),
    loadBalancerSourceRanges: z.array(z.string()).optional(),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    internalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    sessionAffinity: z.enum(['None', 'ClientIP']).optional(),
    // Kubernetes: 0 < timeoutSeconds <= 86400, default 10800 (3 hours).
    sessionAffinityConfig: z
      .strictObject({
        clientIP: z
          .strictObject({ timeoutSeconds: z.number().int().min(1).max(86400).optional() })
          .optional(),
      })
      .optional(),
    allocateLoadBalancerNodePorts: z.boolean().optional(),
    healthCheckNodePort: portNumber.optional(),
    ipFamilies: z
      .array(z.enum(['IPv4', 'IPv6']))
      .max(2, 'at most 2 families')
      .optional(),
    ipFamilyPolicy: z.enum(['SingleStack', 'PreferDualStack', 'RequireDualStack']).optional(),
  })
  .superRefine((spec, ctx) => {
    const ports = spec.ports ?? [];
    const seen = new Set<string>();
    ports.forEach((p, i) => {
      if (ports.length > 1 && !p.name) {
        ctx.addIssue({
          code: 'custom',
          path: ['ports', i, 'name'],
          message: 'required when there is more than one port',
        });
      }
      if (p.name !== undefined && seen.has(`name ${p.name}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ports', i, 'name'],
          message: `duplicate port name "${p.name}"`,
        });
      }
      if (seen.has(`${p.port}/${p.protocol}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ports', i, 'port'],
          message: `duplicate port ${p.port}/${p.protocol}`,
        });
      }
      if (p.name !== undefined) seen.add(`name ${p.name}`);
      seen.add(`${p.port}/${p.protocol}`);
    });
  })
  .transform((spec) => {
    const external = spec.type === 'LoadBalancer' || spec.type === 'NodePort';
    return external && !spec.externalTrafficPolicy
      ? { ...spec, externalTrafficPolicy: 'Cluster' as const }
      : spec;
  });

const ServiceStatus = z.strictObject({
  loadBalancer: z
    .strictObject({
      ingress: z
        .array(
          z.strictObject({
            ip: ipAddress.optional(),
            hostname: z.string().optional(),
            ipMode: z.enum(['VIP', 'Proxy']).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  conditions: z.array(ConditionSchema).optional(),
});

export const ServiceSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: objectMeta(ServiceName),
  spec: ServiceSpec.default({ type: 'ClusterIP' }),
  status: ServiceStatus.optional(),
});
export type Service = z.infer<typeof ServiceSchema>;

// cilium.io/v2 CiliumNode: one per node, named as the Node (Cilium's pkg/k8s/apis/cilium.io/v2
// types.go). What waggle reads and writes: the node's addresses (CiliumInternalIP = the router
// IP on cilium_host), the health endpoint's IP, the PodCIDRs the cluster-pool operator hands out
// (spec.ipam.podCIDRs) and, in status, the IPs in use and the operator's error, both with
// Cilium's field names (ipamTypes.IPAMSpec / IPAMStatus).
import { z } from 'zod';
import { CidrString, IpString } from './cilium-fields.js';
import { ObjectName, objectMeta } from './meta.js';

/** Cilium's addressing.AddressType values. */
export const ciliumNodeAddressTypes = [
  'InternalIP',
  'ExternalIP',
  'Hostname',
  'CiliumInternalIP',
  'InternalDNS',
  'ExternalDNS',
] as const;

/** ipamTypes.AllocationIP: who holds an address (owner) and through what (resource). */
const AllocationIp = z.strictObject({ owner: z.string().optional(), resource: z.string().optional() });
const AllocationMap = z.record(IpString, AllocationIp);

const CiliumNodeSpec = z.strictObject({
  'instance-id': z.string().optional(),
  addresses: z.array(z.strictObject({ type: z.enum(ciliumNodeAddressTypes), ip: IpString })).optional(),
  health: z.strictObject({ ipv4: IpString.optional(), ipv6: IpString.optional() }).optional(),
  encryption: z.strictObject({ key: z.number().int().nonnegative().optional() }).optional(),
  ipam: z
    .strictObject({
      podCIDRs: z.array(CidrString).optional(),
      pool: AllocationMap.optional(),
    })
    .optional(),
  nodeidentity: z.number().int().nonnegative().optional(),
});

const CiliumNodeStatus = z.strictObject({
  ipam: z
    .strictObject({
      used: AllocationMap.optional(),
      /** Set by the operator when it cannot serve this node (e.g. the cluster pool is exhausted). */
      'operator-status': z.strictObject({ error: z.string().optional() }).optional(),
    })
    .optional(),
});

export const CiliumNodeSchema = z.strictObject({
  apiVersion: z.literal('cilium.io/v2'),
  kind: z.literal('CiliumNode'),
  metadata: objectMeta(ObjectName),
  spec: CiliumNodeSpec.default({}),
  status: CiliumNodeStatus.optional(),
});
export type CiliumNode = z.infer<typeof CiliumNodeSchema>;

/** The first address of a type (Cilium's printer column JSONPath `.spec.addresses[?(@.type==T)].ip`). */
export function ciliumNodeAddress(node: CiliumNode, type: (typeof ciliumNodeAddressTypes)[number]) {
  return node.spec.addresses?.find((a) => a.type === type)?.ip;
}

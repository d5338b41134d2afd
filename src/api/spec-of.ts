// What counts as an object's desired state, for generation (bumped when it changes) and for
// apply (unchanged when it is equal). Most kinds have a spec; CiliumIdentity is its
// `security-labels`, and CiliumEndpoint, which has no status subresource in Cilium's CRD, is its
// status (the agent writes the whole object); an EndpointSlice is its endpoints and ports;
// a Secret is its type and data.
import type { AnyObject } from './objects.js';

export function specOf(o: AnyObject): unknown {
  if (o.kind === 'CiliumIdentity') return o['security-labels'];
  if (o.kind === 'CiliumEndpoint') return o.status;
  if (o.kind === 'EndpointSlice')
    return { addressType: o.addressType, endpoints: o.endpoints, ports: o.ports };
  if (o.kind === 'Secret') return { type: o.type, data: o.data };
  return o.spec;
}

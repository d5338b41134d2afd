// The cluster part of the ipcache, as desired state (pure): every other node's addresses
// (identity 6, reserved:remote-node) and health IP (4), and every pod endpoint of the cluster
// from its CiliumEndpoint, with the node that hosts it. This node's own entries (its endpoints,
// router and node IPs) are written by the endpoint manager and are never part of this set.
import { reservedIdentities } from '../api/reserved-identities.js';
import type { CiliumEndpoint, CiliumNode } from '../api/index.js';

const REMOTE_NODE_IDENTITY = reservedIdentities['remote-node'];
const HEALTH_IDENTITY = reservedIdentities.health;

export interface IpcacheEntry {
  identity: number;
  /** The node that hosts the address ("0.0.0.0" for a node's own addresses). */
  hostIp: string;
}

export function desiredClusterIpcache(opts: {
  self: string;
  /** Addresses that belong to this node (never overwritten from the cluster's objects). */
  local: Set<string>;
  nodes: CiliumNode[];
  endpoints: CiliumEndpoint[];
}): Map<string, IpcacheEntry> {
  const out = new Map<string, IpcacheEntry>();
  const put = (ip: string | undefined, e: IpcacheEntry) => {
    if (ip && !ip.includes(':') && !opts.local.has(ip)) out.set(`${ip}/32`, e);
  };
  for (const n of opts.nodes) {
    if (n.metadata.name === opts.self) continue;
    for (const a of n.spec.addresses ?? []) put(a.ip, { identity: REMOTE_NODE_IDENTITY, hostIp: '0.0.0.0' });
    const host = n.spec.addresses?.find((a) => a.type === 'InternalIP')?.ip ?? '0.0.0.0';
    put(n.spec.health?.ipv4, { identity: HEALTH_IDENTITY, hostIp: host });
  }
  for (const cep of opts.endpoints) {
    const id = cep.status?.identity?.id;
    const node = cep.status?.networking?.node;
    // This node's own pods are the endpoint manager's (a CEP may outlive its endpoint a moment).
    if (id === undefined || (node !== undefined && opts.local.has(node))) continue;
    for (const a of cep.status?.networking?.addressing ?? [])
      put(a.ipv4, { identity: id, hostIp: node ?? '0.0.0.0' });
  }
  return out;
}

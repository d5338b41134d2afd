// The endpoints feature wired to the agent's other modules: the pod IPAM pool of this node's
// PodCIDR (Node.spec.podCIDRs with --ipam kubernetes, CiliumNode.spec.ipam.podCIDRs with
// cluster-pool), identities allocated through the store, the bpf_lxc datapath on the pinned
// maps of the datapath module, and the CiliumEndpoint/CiliumNode writer.
import { CiliumObjects } from '../../endpoints/cilium-objects.js';
import { LxcDatapath } from '../../endpoints/lxc-datapath.js';
import { IpcacheSync } from '../../endpoints/ipcache-sync.js';
import { EndpointsModule } from '../../endpoints/module.js';
import type { Identities, PodIpam } from '../../endpoints/ports.js';
import type { EndpointAddRequest } from '../../api/cni-protocol.js';
import { IdentityAllocator } from '../../identity/allocator.js';
import { podSecurityLabels, securityLabelsOf } from '../../identity/labels.js';
import { type IpamMode, waitForPodCidr } from '../../ipam/podcidr.js';
import { HostScopePool } from '../../ipam/pool.js';
import type { Informers } from '../../store/informer.js';
import type { Store } from '../../store/types.js';
import type { HostDatapath } from '../../datapath/host-datapath.js';
import type { AgentModule } from '../module.js';

export interface EndpointsWiring {
  node: string;
  ipam: IpamMode;
  stateDir: string;
  endpointRoutes: boolean;
  mtu: number;
  nodeLabels: Record<string, string>;
  store(): Store;
  informers(): Informers;
  datapath(): HostDatapath;
  nodeAddresses(): string[];
  log(msg: string): void;
  /** Told the PodCIDR once the endpoints are ready (masquerading needs it). */
  onPodCidr?(cidr: string): void;
}

/** PoolResult → exceptions, as the manager's port expects. */
function poolPort(cidr: string): PodIpam {
  const made = HostScopePool.create(cidr);
  if (!made.ok) throw new Error(`PodCIDR ${cidr}: ${made.error}`);
  const pool = made.value;
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  return {
    cidr,
    allocate: (owner) => must(pool.allocate(owner)),
    allocateSpecific: (ip, owner) => void must(pool.allocateSpecific(ip, owner)),
    release: (ip) => void pool.release(ip),
    statusString: () => pool.statusString(),
    list: () => pool.list().map((e) => ({ ip: e.ip, owner: e.owner })),
  };
}

/** A label set's identity, asked of the store once per set while the agent runs. */
function identities(store: () => Store): Identities {
  const known = new Map<string, number>();
  let allocator: IdentityAllocator | undefined;
  return {
    async resolve(list) {
      const map: Record<string, string> = {};
      for (const l of list) {
        const eq = l.indexOf('=');
        map[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
      }
      const labels = securityLabelsOf(map);
      const hit = known.get(labels.key);
      if (hit !== undefined) return hit;
      allocator ??= new IdentityAllocator({ store: store() });
      const { id } = await allocator.allocate(labels);
      known.set(labels.key, id);
      return id;
    },
  };
}

export function endpointsModules(w: EndpointsWiring): { modules: AgentModule[]; endpoints: EndpointsModule } {
  const lxc = new LxcDatapath(() => w.datapath());
  const nodeIp = () => w.nodeAddresses()[0];
  const objects = new CiliumObjects({ store: w.store, node: w.node, nodeIp, log: w.log });
  const labelsOf = async (req: EndpointAddRequest): Promise<string[]> => {
    const namespace = req.podNamespace ?? 'default';
    let podLabels = req.labels ?? {};
    // The Pod's own labels, as Cilium reads them (the runtime's CNI_ARGS name the pod).
    if (req.podName) {
      try {
        const pod = await w.store().tryGet('Pod', req.podName, namespace);
        if (pod?.metadata.labels) podLabels = pod.metadata.labels;
      } catch {
        // the store is slow or down: the runtime's labels stand
      }
    }
    return podSecurityLabels({ namespace, labels: podLabels }).list;
  };
  const endpoints = new EndpointsModule({
    node: w.node,
    stateDir: w.stateDir,
    endpointRoutes: w.endpointRoutes,
    mtu: w.mtu,
    podCidr: (signal) => waitForPodCidr({ informers: w.informers() }, w.node, w.ipam, 30_000, signal),
    makeIpam: poolPort,
    datapath: () => lxc,
    hooks: () => lxc,
    nodeAddresses: w.nodeAddresses,
    hostLabels: () => [
      ...Object.entries(w.nodeLabels)
        .filter(
          ([k]) =>
            k.startsWith('node-role.kubernetes.io/') ||
            k === 'node.kubernetes.io/exclude-from-external-load-balancers',
        )
        .map(([k, v]) => (v ? `k8s:${k}=${v}` : `k8s:${k}`))
        .sort(),
      'reserved:host',
    ],
    identities: () => identities(w.store),
    labelsOf,
    log: w.log,
    onChange: (rec, op) => objects.endpointChanged(rec, op),
    onReady: (f) => {
      w.onPodCidr?.(f.podCidr);
      objects.nodeChanged({
        router: f.router,
        ...(nodeIp() ? { nodeIp: nodeIp() as string } : {}),
        ...(f.health ? { health: f.health } : {}),
        ...(w.ipam === 'kubernetes' ? { podCidr: f.podCidr } : {}),
      });
      void objects.sweep(f.live).catch((err: unknown) => w.log(`CiliumEndpoint sweep: ${String(err)}`));
    },
  });
  const objectsModule: AgentModule = {
    name: 'endpoint-objects',
    start: () => {},
    stop: () => objects.stop(),
  };
  const ipcache = new IpcacheSync({
    self: w.node,
    informers: w.informers,
    local: () => {
      const st = endpoints.status();
      return new Set([
        ...w.nodeAddresses(),
        ...(st.router ? [st.router] : []),
        ...endpoints.manager.list().map((r) => r.ipv4),
      ]);
    },
    map: () => ({
      // Native routing: the hosting node is recorded, and no packet is to be encapsulated to it.
      set: (prefix, e) =>
        w.datapath().ipcache.set(
          { prefix },
          {
            identity: e.identity,
            tunnelEndpoint: e.hostIp,
            flags: e.hostIp === '0.0.0.0' ? {} : { skipTunnel: true },
          },
        ),
      delete: (prefix) => void w.datapath().ipcache.delete({ prefix }),
    }),
    log: w.log,
  });
  const ipcacheModule: AgentModule = {
    name: 'ipcache',
    // Not awaited: an unreachable store delays the cluster's entries, never the agent's start.
    start: () => void ipcache.start().catch((err: unknown) => w.log(`ipcache sync: ${String(err)}`)),
    stop: () => ipcache.stop(),
    status: () => ({ clusterEntries: ipcache.entries }),
  };
  return { modules: [objectsModule, endpoints, ipcacheModule], endpoints };
}

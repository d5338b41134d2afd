// Which nodePorts each Service holds, and what its spec.ports should say, as kube-apiserver's
// initNodePorts/updateNodePorts decide (kubernetes pkg/registry/core/service/storage/alloc.go),
// only after the fact: the operator sees a stored Service and fills in or refuses its nodePorts.
//  - NodePort and LoadBalancer services get one for every port without one, unless
//    allocateLoadBalancerNodePorts is false (then given ones are still honoured).
//  - Ports with the same port number (53/TCP and 53/UDP) share one nodePort; one number may
//    appear on ports of different protocols of one Service, never on two Services.
//  - A given nodePort outside the range or held by another Service is refused, naming the field,
//    and nothing changes for that Service: what it held stays held, nothing new is taken.
//  - Other types hold none: their nodePorts are released and dropped from the spec, as the API
//    server drops them when the type changes to ClusterIP (dropTypeDependentFields).
import type { Service } from '../api/service.js';
import { type NodePortAllocator, rangeText } from './node-ports.js';

type ServicePort = NonNullable<Service['spec']['ports']>[number];

export interface NodePortPlan {
  /** The ports to write, when they differ from the stored ones. */
  ports?: ServicePort[];
  /** Ports this plan allocated (released again by undo() if the write fails). */
  assigned: number[];
  error?: string;
}

export const usesNodePorts = (spec: Service['spec']) =>
  spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const allocates = (spec: Service['spec']) =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

export class NodePortBook {
  private readonly held = new Map<string, Set<number>>();

  constructor(readonly alloc: NodePortAllocator) {}

  /** Ports held per service (tests and metrics read it). */
  holding(key: string): number[] {
    return [...(this.held.get(key) ?? [])].sort((a, b) => a - b);
  }

  /** Decides the nodePorts of the service `key` ("namespace/name") and takes/releases them in the allocator (see the file comment). */
  plan(key: string, svc: Service): NodePortPlan {
    const name = key;
    const ports = svc.spec.ports ?? [];
    if (!usesNodePorts(svc.spec)) {
      this.forget(key);
      if (!ports.some((p) => p.nodePort !== undefined)) return { assigned: [] };
      return { ports: ports.map(({ nodePort: _, ...p }) => p), assigned: [] };
    }
    const refused = this.check(key, ports);
    if (refused) return { assigned: [], error: refused };
    const want = new Set<number>();
    const byPort = new Map<number, number>(); // service port number → its nodePort
    for (const p of ports)
      if (p.nodePort !== undefined) {
        want.add(p.nodePort);
        if (!byPort.has(p.port)) byPort.set(p.port, p.nodePort);
      }
    const assigned: number[] = [];
    const out: ServicePort[] = [];
    for (const [i, p] of ports.entries()) {
      if (p.nodePort !== undefined || !allocates(svc.spec)) {
        out.push(p);
        continue;
      }
      let np = byPort.get(p.port);
      if (np === undefined) {
        np = this.alloc.next(key);
        if (np === undefined) {
          for (const a of assigned) this.alloc.release(a);
          return {
            assigned: [],
            error: `service ${name}: spec.ports[${i}].nodePort: failed to allocate a nodePort: range ${rangeText(this.alloc.range)} is full`,
          };
        }
        assigned.push(np);
        byPort.set(p.port, np);
      }
      want.add(np);
      out.push({ ...p, nodePort: np });
    }
    for (const old of this.held.get(key) ?? []) if (!want.has(old)) this.alloc.release(old);
    for (const np of want) this.alloc.claim(np, key);
    this.held.set(key, want);
    return assigned.length > 0 ? { ports: out, assigned } : { assigned };
  }

  /**
   * Start-up and resync: takes the given nodePorts of a stored service without judging them
   * (feed services byAge, so the older claimant wins); plan() then refuses the loser's.
   */
  observe(key: string, svc: Service): void {
    if (!usesNodePorts(svc.spec)) return;
    const mine = this.held.get(key) ?? new Set<number>();
    for (const p of svc.spec.ports ?? [])
      if (p.nodePort !== undefined && this.alloc.claim(p.nodePort, key).ok) mine.add(p.nodePort);
    this.held.set(key, mine);
  }

  /** Forgets everything (a resync rebuilds the book from the stored services). */
  reset(): void {
    for (const key of [...this.held.keys()]) this.forget(key);
  }

  /** After a failed write: gives back what plan() allocated (given ports stay held). */
  undo(key: string, plan: NodePortPlan): void {
    const mine = this.held.get(key);
    for (const np of plan.assigned) {
      this.alloc.release(np);
      mine?.delete(np);
    }
  }

  /** The service is gone (or no longer a NodePort/LoadBalancer): its ports are free again. */
  forget(key: string): void {
    for (const np of this.held.get(key) ?? []) this.alloc.release(np);
    this.held.delete(key);
  }

  /** Every given nodePort valid? The first refusal, in Kubernetes' words (field.Invalid). */
  private check(key: string, ports: readonly ServicePort[]): string | undefined {
    const name = key;
    const mine = new Map<number, string[]>(); // nodePort → protocols using it in this service
    for (const [i, p] of ports.entries()) {
      const np = p.nodePort;
      if (np === undefined) continue;
      const field = `service ${name}: spec.ports[${i}].nodePort: Invalid value: ${np}`;
      if (!this.alloc.contains(np))
        return `${field}: provided port is not in the valid range. The range of valid ports is ${rangeText(this.alloc.range)}`;
      const owner = this.alloc.ownerOf(np);
      if (owner !== undefined && owner !== key)
        return `${field}: provided port is already allocated (to service ${owner})`;
      const protos = mine.get(np) ?? [];
      if (protos.includes(p.protocol))
        return `service ${name}: spec.ports[${i}].nodePort: Duplicate value: ${np}`;
      mine.set(np, [...protos, p.protocol]);
    }
    return undefined;
  }
}

/** Oldest first (then by name): on a restart the older of two claimants keeps a nodePort, as the agent's frontends do. */
export function byAge(services: readonly Service[]): Service[] {
  const key = (s: Service) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
  return [...services].sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      key(a).localeCompare(key(b)),
  );
}

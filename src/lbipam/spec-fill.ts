// What the operator fills into a stored Service's spec, as kube-apiserver would have at create:
// a clusterIP (cluster-ip.ts) and nodePorts (node-port-book.ts), in one update. A refused
// nodePort changes nothing for that Service (not even its clusterIP); the refusal is reported
// once per distinct message, so a resync does not repeat it.
import type { Service } from '../api/service.js';
import { type ClusterIpAllocator, needsClusterIp } from './cluster-ip.js';
import type { NodePortBook } from './node-port-book.js';

export interface SpecFill {
  spec: Service['spec'];
  /** Gives back what was taken, when the write fails. */
  undo(): void;
  /** What was assigned, for the log. */
  summary: string;
}

export class SpecFiller {
  /** The last refusal reported per service, so each is logged once. */
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly clusterIps: ClusterIpAllocator,
    private readonly nodePorts: NodePortBook,
    private readonly log: (line: string) => void,
  ) {}

  /** The spec to write for service `key` ("namespace/name"), or undefined when nothing changes. */
  fill(key: string, svc: Service): SpecFill | undefined {
    const plan = this.nodePorts.plan(key, svc);
    if (plan.error) {
      if (this.refused.get(key) !== plan.error) this.log(`lbipam: ${plan.error}`);
      this.refused.set(key, plan.error);
      return undefined;
    }
    this.refused.delete(key);
    let spec = svc.spec;
    const parts: string[] = [];
    let ip: string | undefined;
    if (needsClusterIp(spec)) {
      ip = this.clusterIps.assign();
      if (ip) {
        spec = { ...spec, clusterIP: ip, clusterIPs: [ip] };
        parts.push(`clusterIP ${ip}`);
      } else this.log(`lbipam: service ${key}: no free clusterIP left in the service CIDR`);
    }
    if (plan.ports) {
      spec = { ...spec, ports: plan.ports };
      const given = plan.ports
        .filter((p) => p.nodePort !== undefined)
        .map((p) => `${p.port}:${p.nodePort}/${p.protocol}`);
      parts.push(given.length > 0 ? `nodePorts ${given.join(',')}` : 'nodePorts released');
    }
    if (spec === svc.spec) return undefined;
    return {
      spec,
      summary: parts.join(', '),
      undo: () => {
        if (ip) this.clusterIps.release(ip);
        this.nodePorts.undo(key, plan);
      },
    };
  }

  forget(key: string): void {
    this.refused.delete(key);
    this.nodePorts.forget(key);
  }
}

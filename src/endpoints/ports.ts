// What the endpoint manager needs from the parts around it, as narrow interfaces: the agent
// wires the real ones (bpf_lxc + maps, the node's IPAM pool, the identity allocator); unit tests
// of the manager's pure decisions can pass small stand-ins.
import type { EndpointRecord } from './record.js';

export interface EndpointDatapath {
  /** Loads the endpoint's program and attaches it (pinned tcx links, kept if the agent dies). */
  attach(rec: EndpointRecord, opts: { toContainer: boolean }): void;
  /** Removes the links' pins (the device going away detaches them anyway); absent is fine. */
  detach(rec: EndpointRecord): void;
  /** Whether the endpoint's pinned links are still there (after a restart). */
  attached(rec: EndpointRecord, opts: { toContainer: boolean }): boolean;
  /** waggle_lxc[ipv4] for the endpoint, and its ipcache entry. */
  upsert(rec: EndpointRecord): void;
  /** Removes waggle_lxc[ipv4] and the ipcache entry; absent is fine. */
  remove(ipv4: string): void;
  /** Every IPv4 with a non-host entry in waggle_lxc, to find leftovers. */
  endpointIps(): string[];
}

export interface PodIpam {
  readonly cidr: string;
  allocate(owner: string): string;
  /** Claims a given address (restore); throws naming the current owner if it has one. */
  allocateSpecific(ip: string, owner: string): void;
  release(ip: string): void;
  statusString(): string;
  /** Every allocated address with its owner. */
  list(): Array<{ ip: string; owner: string }>;
}

export interface Identities {
  /** The cluster-wide identity of a label set (Cilium `source:key=value` strings). */
  resolve(labels: string[]): Promise<number>;
}

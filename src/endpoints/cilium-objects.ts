// The store's view of this node's endpoints, as Cilium's agent keeps it: one CiliumEndpoint per
// pod endpoint (same name and namespace as the pod) and this node's CiliumNode (its addresses,
// the router IP as CiliumInternalIP, the health IP, and — with --ipam kubernetes — its
// PodCIDRs). Writes are queued and retried, never awaited by a CNI call: a slow or dead store
// delays these objects, not pods. Each write is a read-modify-write with compare-and-swap.
import type { CiliumEndpoint, CiliumNode } from '../api/index.js';
import { errorMessage } from '../lib/errors.js';
import { AlreadyExistsError, NotFoundError } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { EndpointRecord } from './record.js';

const RETRY_MS = 1000;

export interface NodeFacts {
  nodeIp?: string;
  router: string;
  health?: string;
  /** Written to spec.ipam.podCIDRs only with --ipam kubernetes (the operator owns it otherwise). */
  podCidr?: string;
}

type Job =
  | { kind: 'cep'; key: string; rec: EndpointRecord; op: 'upsert' | 'delete' }
  | { kind: 'node'; facts: NodeFacts };

export class CiliumObjects {
  readonly #store: () => Store;
  readonly #node: string;
  readonly #nodeIp: () => string | undefined;
  readonly #log: (msg: string) => void;
  readonly #jobs = new Map<string, Job>();
  #running = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  failures = 0;

  constructor(opts: {
    store: () => Store;
    node: string;
    nodeIp: () => string | undefined;
    log(msg: string): void;
  }) {
    this.#store = opts.store;
    this.#node = opts.node;
    this.#nodeIp = opts.nodeIp;
    this.#log = opts.log;
  }

  get pending(): number {
    return this.#jobs.size;
  }

  endpointChanged(rec: EndpointRecord, op: 'upsert' | 'delete'): void {
    if (rec.kind !== 'pod' || !rec.podName || !rec.podNamespace) return; // only pods have a CEP
    const key = `cep/${rec.podNamespace}/${rec.podName}`;
    this.#jobs.set(key, { kind: 'cep', key, rec: { ...rec }, op });
    this.#kick();
  }

  nodeChanged(facts: NodeFacts): void {
    this.#jobs.set('node', { kind: 'node', facts });
    this.#kick();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    void this.#drain();
  }

  /** Writes queued jobs one by one; a failure re-queues its job and retries after RETRY_MS. */
  async #drain(): Promise<void> {
    while (!this.#stopped && this.#jobs.size > 0) {
      const [key, job] = this.#jobs.entries().next().value as [string, Job];
      this.#jobs.delete(key);
      try {
        if (job.kind === 'cep') await this.#writeCep(job.rec, job.op);
        else await this.#writeNode(job.facts);
      } catch (err) {
        this.failures += 1;
        // A newer job for the same object replaces this one; otherwise try this one again.
        if (!this.#jobs.has(key)) this.#jobs.set(key, job);
        if (this.failures === 1 || this.failures % 30 === 0)
          this.#log(`store write ${key} failed (${errorMessage(err)}); retrying every ${RETRY_MS}ms`);
        this.#timer = setTimeout(() => {
          this.#running = false;
          this.#kick();
        }, RETRY_MS);
        return;
      }
    }
    this.#running = false;
  }

  async #writeCep(rec: EndpointRecord, op: 'upsert' | 'delete'): Promise<void> {
    const store = this.#store();
    const name = rec.podName as string;
    const namespace = rec.podNamespace as string;
    const cur = await store.tryGet('CiliumEndpoint', name, namespace);
    if (op === 'delete') {
      // A newer endpoint of a pod with the same name owns the object now: leave it.
      if (!cur || (cur.status?.id !== undefined && cur.status.id !== rec.id)) return;
      try {
        await store.delete('CiliumEndpoint', name, namespace, {
          resourceVersion: cur.metadata.resourceVersion as string,
        });
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      return;
    }
    const nodeIp = this.#nodeIp();
    const cep: CiliumEndpoint = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumEndpoint',
      metadata: {
        name,
        namespace,
        ...(cur?.metadata.resourceVersion ? { resourceVersion: cur.metadata.resourceVersion } : {}),
      },
      status: {
        id: rec.id,
        'external-identifiers': {
          'cni-attachment-id': rec.attachment,
          'container-id': rec.containerId,
          'k8s-namespace': namespace,
          'k8s-pod-name': name,
          'pod-name': `${namespace}/${name}`,
        },
        identity: { id: rec.identity, labels: rec.labels },
        networking: { addressing: [{ ipv4: rec.ipv4 }], ...(nodeIp ? { node: nodeIp } : {}) },
        encryption: {},
        state: rec.state === 'ready' ? 'ready' : 'waiting-for-identity',
      },
    };
    if (cur) await store.update(cep);
    else
      try {
        await store.create(cep);
      } catch (err) {
        if (err instanceof AlreadyExistsError)
          throw new Error(`CiliumEndpoint ${namespace}/${name}: created meanwhile`);
        throw err;
      }
  }

  async #writeNode(f: NodeFacts): Promise<void> {
    const store = this.#store();
    const cur = await store.tryGet('CiliumNode', this.#node);
    const addresses = [
      ...(f.nodeIp ? [{ type: 'InternalIP' as const, ip: f.nodeIp }] : []),
      { type: 'CiliumInternalIP' as const, ip: f.router },
    ];
    const spec: CiliumNode['spec'] = {
      ...(cur?.spec ?? {}),
      addresses,
      ...(f.health ? { health: { ipv4: f.health } } : {}),
      ...(f.podCidr ? { ipam: { ...(cur?.spec.ipam ?? {}), podCIDRs: [f.podCidr] } } : {}),
    };
    const node = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNode',
      metadata: {
        name: this.#node,
        ...(cur?.metadata.resourceVersion ? { resourceVersion: cur.metadata.resourceVersion } : {}),
      },
      spec,
    } as CiliumNode;
    if (cur) await store.update(node);
    else await store.create(node);
  }

  /**
   * After a restart: CiliumEndpoints naming this node's address whose pod has no endpoint here
   * any more (deleted while the agent was down) are removed.
   */
  async sweep(live: EndpointRecord[]): Promise<number> {
    const nodeIp = this.#nodeIp();
    if (!nodeIp) return 0;
    const keep = new Set(live.map((r) => `${r.podNamespace}/${r.podName}`));
    const all = await this.#store().list({ kind: 'CiliumEndpoint' });
    let removed = 0;
    for (const cep of all.items) {
      const ns = cep.metadata.namespace ?? 'default';
      if (cep.status?.networking?.node !== nodeIp || keep.has(`${ns}/${cep.metadata.name}`)) continue;
      try {
        await this.#store().delete('CiliumEndpoint', cep.metadata.name, ns);
        removed += 1;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return removed;
  }
}

// The operator's ingress controller: a thin adapter around desired.ts. Any change to the kinds
// it reads schedules one pass (coalesced); a pass computes the desired LoadBalancer Services and
// EndpointSlices, writes only what differs, removes what it made for Ingresses that are gone,
// and writes each Ingress's status (the Service's address; Accepted). A refused Ingress is logged
// once per distinct reason and changes nothing else: a Service it had keeps serving.
import {
  type AnyObject,
  type EndpointSlice,
  type Ingress,
  type LbMode,
  namespacedName,
  type Service,
} from '../api/index.js';
import { setStatusCondition } from '../lib/conditions.js';
import { errorMessage } from '../lib/errors.js';
import type { Informers } from '../store/informer.js';
import { AlreadyExistsError, ConflictError, NotFoundError, type Store } from '../store/index.js';
import { canonicalJson } from '../store/prepare.js';
import {
  desiredIngress,
  INGRESS_LABEL,
  ingressStatus,
  MANAGED_BY,
  SHARED_NAME,
  SHARED_NAMESPACE,
} from './desired.js';

export interface IngressControllerOptions {
  store: Store;
  informers: Informers;
  defaultMode: LbMode;
  ports: { http: number; https: number };
  log: (line: string) => void;
  now?: () => Date;
}

const READ = ['Ingress', 'IngressClass', 'Service', 'Secret', 'Node', 'EndpointSlice'] as const;
const nsOf = (o: AnyObject) => o.metadata.namespace ?? 'default';
const id = (o: AnyObject) => `${nsOf(o)}/${o.metadata.name}`;

export class IngressController {
  readonly writes = { services: 0, slices: 0, statuses: 0, deletes: 0 };
  #offs: Array<() => void> = [];
  #chain: Promise<void> = Promise.resolve();
  #queued = false;
  #stopping = false;
  #reported = new Map<string, string>();

  constructor(private readonly o: IngressControllerOptions) {}

  async start(): Promise<void> {
    for (const k of READ) this.#offs.push(this.o.informers.for(k).subscribe(() => this.#schedule()));
    await Promise.all(READ.map((k) => this.o.informers.for(k).start()));
    this.#schedule();
    await this.idle();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const off of this.#offs) off();
    await this.#chain;
  }

  idle(): Promise<void> {
    return this.#chain;
  }

  #schedule(): void {
    if (this.#queued || this.#stopping) return;
    this.#queued = true;
    this.#chain = this.#chain
      .then(() => {
        this.#queued = false;
        return this.#stopping ? undefined : this.#pass();
      })
      .catch((err: unknown) => {
        if (!this.#stopping) this.o.log(`ingress: ${errorMessage(err)}`);
        // A failed write is retried by the next pass (level-triggered); schedule one soon.
        if (!this.#stopping) setTimeout(() => this.#schedule(), 1000).unref();
      });
  }

  async #pass(): Promise<void> {
    const inf = this.o.informers;
    const services = inf.for('Service').list();
    const slices = inf.for('EndpointSlice').list();
    const ingresses = inf.for('Ingress').list();
    const want = desiredIngress({
      ingresses,
      classes: inf.for('IngressClass').list(),
      services,
      secrets: inf.for('Secret').list(),
      nodes: inf.for('Node').list(),
      defaultMode: this.o.defaultMode,
      ports: this.o.ports,
    });
    for (const svc of want.services) await this.#ensureService(svc, services);
    for (const slice of want.slices) await this.#ensureSlice(slice, slices);
    await this.#prune(
      ingresses,
      want.verdicts.some((v) => v.lbService?.name === SHARED_NAME),
      services,
      slices,
    );
    for (const v of want.verdicts) {
      const key = id(v.ingress);
      const why = v.problems.join('; ');
      if (why && this.#reported.get(key) !== why) this.o.log(`ingress: ${key} refused: ${why}`);
      if (why) this.#reported.set(key, why);
      else this.#reported.delete(key);
      // A refused Ingress keeps the address of the Service it had (shared or its own).
      const lbKey = v.lbService ?? {
        namespace: nsOf(v.ingress),
        name: `cilium-ingress-${v.ingress.metadata.name}`,
      };
      const lb = inf.for('Service').get(namespacedName(lbKey.namespace, lbKey.name));
      await this.#writeStatus(v.ingress, ingressStatus(v, lb));
    }
  }

  async #ensureService(want: Service, have: readonly Service[]): Promise<void> {
    const cur = have.find((s) => id(s) === id(want));
    const inf = this.o.informers.for('Service');
    if (!cur) {
      inf.noteWrite(await this.#create(want));
      this.o.log(`ingress: created service ${id(want)}`);
      this.writes.services++;
      return;
    }
    // Keep what others fill in (clusterIP by LB-IPAM, nodePorts) and compare the rest.
    const spec = {
      ...cur.spec,
      type: want.spec.type,
      ports: mergePorts(want, cur),
      externalTrafficPolicy: 'Cluster' as const,
    };
    const labels = { ...cur.metadata.labels, ...want.metadata.labels };
    if (
      canonicalJson(spec) === canonicalJson(cur.spec) &&
      canonicalJson(labels) === canonicalJson(cur.metadata.labels)
    )
      return;
    inf.noteWrite(await this.o.store.update({ ...cur, metadata: { ...cur.metadata, labels }, spec }));
    this.writes.services++;
  }

  async #ensureSlice(want: EndpointSlice, have: readonly EndpointSlice[]): Promise<void> {
    const cur = have.find((s) => id(s) === id(want));
    const inf = this.o.informers.for('EndpointSlice');
    if (!cur) {
      inf.noteWrite(await this.#create(want));
      this.writes.slices++;
      return;
    }
    const same =
      canonicalJson({ e: cur.endpoints, p: cur.ports, l: cur.metadata.labels }) ===
      canonicalJson({ e: want.endpoints, p: want.ports, l: want.metadata.labels });
    if (same) return;
    inf.noteWrite(
      await this.o.store.update({
        ...cur,
        endpoints: want.endpoints,
        ports: want.ports,
        metadata: { ...cur.metadata, labels: want.metadata.labels },
      }),
    );
    this.writes.slices++;
  }

  /** Removes Services and slices we made whose Ingress is gone (not merely refused). */
  async #prune(
    ingresses: readonly Ingress[],
    sharedUsed: boolean,
    services: readonly Service[],
    slices: readonly EndpointSlice[],
  ): Promise<void> {
    const alive = new Set(ingresses.filter((i) => !i.metadata.deletionTimestamp).map((i) => i.metadata.uid));
    const stale = (s: Service) => {
      if (s.metadata.labels?.[INGRESS_LABEL] !== 'true') return false;
      if (nsOf(s) === SHARED_NAMESPACE && s.metadata.name === SHARED_NAME) return !sharedUsed;
      const owner = s.metadata.ownerReferences?.find((r) => r.kind === 'Ingress');
      return owner !== undefined && !alive.has(owner.uid);
    };
    for (const s of services.filter(stale)) {
      for (const sl of slices.filter(
        (x) =>
          nsOf(x) === nsOf(s) &&
          x.metadata.name === s.metadata.name &&
          x.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY,
      ))
        await this.#delete(() => this.o.store.delete('EndpointSlice', sl.metadata.name, nsOf(sl)));
      await this.#delete(() => this.o.store.delete('Service', s.metadata.name, nsOf(s)));
      this.o.log(`ingress: deleted service ${id(s)} (its Ingress is gone)`);
    }
  }

  async #writeStatus(ing: Ingress, st: ReturnType<typeof ingressStatus>): Promise<void> {
    const conditions = [...(ing.status?.conditions ?? [])];
    const changed = setStatusCondition(
      conditions,
      { type: 'Accepted', ...st.accepted, observedGeneration: ing.metadata.generation ?? 0 },
      (this.o.now ?? (() => new Date()))(),
    );
    const lbSame = canonicalJson(ing.status?.loadBalancer?.ingress ?? []) === canonicalJson(st.ingress);
    if (!changed && lbSame) return;
    const status = { ...ing.status, loadBalancer: { ingress: st.ingress }, conditions };
    try {
      this.o.informers.for('Ingress').noteWrite(await this.o.store.updateStatus({ ...ing, status }));
      this.writes.statuses++;
    } catch (err) {
      // The next event for this Ingress brings a pass with its new version.
      if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
    }
  }

  async #create<T extends AnyObject>(o: T): Promise<T> {
    try {
      return await this.o.store.create(o);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      return (await this.o.store.get(o.kind, o.metadata.name, nsOf(o))) as T;
    }
  }

  async #delete(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      this.writes.deletes++;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}

/** The wanted ports, keeping each one's nodePort where the stored Service has it. */
function mergePorts(want: Service, cur: Service) {
  return (want.spec.ports ?? []).map((p) => {
    const old = (cur.spec.ports ?? []).find((q) => q.name === p.name);
    return old?.nodePort ? { ...p, nodePort: old.nodePort } : p;
  });
}

// The LB-IPAM controller: reads Services and CiliumLoadBalancerIPPools from the process's
// informers, feeds them to the pure allocator and writes back Service status, pool conditions
// and missing clusterIPs and nodePorts (spec-fill.ts). Level-triggered and idempotent: every write compares with the stored
// object first, a conflict re-reads and retries, and a periodic full resync is the safety net for
// anything missed. Its own writes are recorded in the informer (noteWrite), so the next write to
// the same object starts from the version it just wrote.
import {
  type CiliumLoadBalancerIPPool,
  keyOfObject,
  type NamespacedName,
  namespacedName,
  type Service,
} from '../api/index.js';
import { type Informer, type InformerEvent, Informers } from '../store/informer.js';
import { ConflictError, NotFoundError, type Store } from '../store/index.js';
import { ClusterIpAllocator } from './cluster-ip.js';
import { LbIpam } from './engine.js';
import { byAge, NodePortBook } from './node-port-book.js';
import { NodePortAllocator } from './node-ports.js';
import { SpecFiller } from './spec-fill.js';
import type { FamilySupport } from './service-view.js';
import { nextPoolStatus, nextServiceStatus } from './status-write.js';

export interface ControllerOptions {
  store: Store;
  /** The process's informers; the controller reads Services and pools from them. Default: its own. */
  informers?: Informers;
  serviceCidr?: string;
  /** --service-node-port-range; Kubernetes' 30000-32767 when omitted. */
  nodePortRange?: string;
  /** The nodePort allocator's random source (tests pass a fixed one); Math.random when omitted. */
  random?: () => number;
  resyncMs?: number;
  families?: FamilySupport;
  log?: (line: string) => void;
}

const keyOf = (s: Service): NamespacedName =>
  namespacedName(s.metadata.namespace ?? 'default', s.metadata.name);
const describe = (k: NamespacedName) => `${k.namespace}/${k.name}`;
const MAX_RETRIES = 5;
const POOL_WRITE_MS = 200;

export class LbIpamController {
  readonly engine: LbIpam;
  readonly writes = { serviceStatus: 0, poolStatus: 0, clusterIP: 0, spec: 0, conflicts: 0 };
  readonly nodePorts: NodePortBook;
  private readonly services: Informer<'Service'>;
  private readonly pools: Informer<'CiliumLoadBalancerIPPool'>;
  private readonly clusterIps: ClusterIpAllocator;
  private readonly filler: SpecFiller;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly ownInformers: Informers | undefined;
  /** True until the start-up import reads the caches (see start()). */
  private importing = true;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private poolTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly log: (line: string) => void;
  private readonly badPools = new Map<string, string>();

  constructor(private readonly opts: ControllerOptions) {
    this.engine = new LbIpam(opts.families);
    if (!opts.informers) this.ownInformers = new Informers(opts.store);
    const informers = opts.informers ?? (this.ownInformers as Informers);
    this.services = informers.for('Service');
    this.pools = informers.for('CiliumLoadBalancerIPPool');
    this.clusterIps = new ClusterIpAllocator(opts.serviceCidr);
    this.nodePorts = new NodePortBook(new NodePortAllocator(opts.nodePortRange, opts.random));
    this.log = opts.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.filler = new SpecFiller(this.clusterIps, this.nodePorts, this.log);
  }

  /**
   * Lists everything, imports it all at once (satisfied services first, so they keep their IPs
   * before unsatisfied ones are given any), writes what differs, then follows changes. Events
   * from before the import are not handled one by one — importing them one at a time could hand
   * a satisfied service's IP to another — because the import reads the informers' caches, which
   * already hold them; events after it are queued behind it.
   */
  async start(): Promise<void> {
    const live = (fn: () => Promise<void>) => {
      if (this.importing) return;
      void this.serialize(fn);
    };
    this.unsubscribe.push(
      this.pools.subscribe((ev) => live(() => this.handlePool(ev))),
      this.services.subscribe((ev) => live(() => this.handleService(ev))),
    );
    await Promise.all([this.pools.start(), this.services.start()]);
    await this.serialize(() => {
      this.importing = false; // from here on, events queue behind this import
      return this.resync();
    });
    const every = this.opts.resyncMs ?? 5 * 60_000;
    this.timer = setInterval(() => void this.serialize(() => this.resync()), every);
    this.timer.unref();
  }

  /**
   * Stops intake (watches, timers) and skips queued work; resolves when the work in flight
   * settles. That work may be a store call to an unreachable etcd: the owner bounds the wait and
   * closes the store, which ends such calls at once (see Operator.stop).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.poolTimer) clearTimeout(this.poolTimer);
    for (const off of this.unsubscribe) off();
    await this.ownInformers?.stop();
    await this.chain;
  }

  /** Resolves once every event received so far has been handled (tests use it). */
  idle(): Promise<void> {
    return this.chain;
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    this.chain = this.chain
      .then(() => (this.stopping ? undefined : fn()))
      // While stopping, a failure is the store being closed under us: nothing to report.
      .catch((err: unknown) => {
        if (!this.stopping) this.log(`lbipam: ${String(err)}`);
      });
    return this.chain;
  }

  /** Everything from the informers' caches at once: pools, then services (satisfied first). */
  private async resync(): Promise<void> {
    this.syncPools();
    await this.syncServices();
    await this.flush();
  }

  private syncPools(): void {
    const items = this.pools.list();
    const seen = new Set(items.map((p) => p.metadata.name));
    for (const name of this.engine.poolNames()) if (!seen.has(name)) this.engine.deletePool(name);
    for (const p of items) this.upsertPool(p);
  }

  private async syncServices(): Promise<void> {
    const items = this.services.list();
    for (const s of items) if (s.spec.clusterIP) this.clusterIps.observe(s.spec.clusterIP);
    // Every stored nodePort is taken (older services first) before any is handed out.
    this.nodePorts.reset();
    const ordered = byAge(items);
    for (const s of ordered) this.nodePorts.observe(describe(keyOf(s)), s);
    this.engine.syncServices(items);
    for (const s of ordered) await this.ensureSpec(s);
  }

  private upsertPool(p: CiliumLoadBalancerIPPool): void {
    const res = this.engine.upsertPool(p);
    if (!res.ok && this.badPools.get(p.metadata.name) !== res.error) this.log(`lbipam: ${res.error}`);
    if (!res.ok) this.badPools.set(p.metadata.name, res.error);
    else this.badPools.delete(p.metadata.name);
  }

  private async handlePool(ev: InformerEvent<CiliumLoadBalancerIPPool>): Promise<void> {
    if (ev.type === 'sync') this.syncPools();
    else if (ev.type === 'delete') this.engine.deletePool(ev.object.metadata.name);
    else if (ev.old?.metadata.resourceVersion !== ev.object.metadata.resourceVersion)
      this.upsertPool(ev.object);
    await this.flush();
  }

  private async handleService(ev: InformerEvent<Service>): Promise<void> {
    if (ev.type === 'sync') {
      await this.syncServices();
      return this.flush();
    }
    const obj = ev.object;
    const key = keyOf(obj);
    if (ev.type === 'delete') {
      if (obj.spec.clusterIP) this.clusterIps.release(obj.spec.clusterIP);
      this.filler.forget(describe(key));
      this.engine.deleteService(key.namespace, key.name);
      return this.flush();
    }
    // Handlers run after the informer moved on: act on what it holds now, once per version.
    const current = this.services.get(keyOfObject(obj)) ?? obj;
    if (current !== obj) return;
    if (obj.spec.clusterIP) this.clusterIps.observe(obj.spec.clusterIP);
    // Spec first: it bumps the generation, which the condition's observedGeneration follows.
    this.engine.upsertService((await this.ensureSpec(obj)) ?? obj);
    await this.writeService(key);
    await this.flush();
  }

  /** Writes every service whose desired status changed, then pool conditions that differ. */
  private async flush(): Promise<void> {
    for (const line of this.engine.takeLog()) this.log(`lbipam: ${line}`);
    for (const key of this.engine.takeDirty()) {
      if (this.stopping) return;
      await this.writeService(key);
    }
    for (const line of this.engine.takeLog()) this.log(`lbipam: ${line}`);
    this.schedulePoolWrites();
  }

  /**
   * Pool conditions (counts, conflicts) are written at most every POOL_WRITE_MS: a burst of
   * service allocations then costs one pool write, not one per service. Each write still
   * compares with the stored conditions first.
   */
  private schedulePoolWrites(): void {
    if (this.poolTimer || this.stopping) return;
    this.poolTimer = setTimeout(() => {
      this.poolTimer = undefined;
      void this.serialize(async () => {
        for (const name of this.engine.poolNames()) await this.writePool(name);
      });
    }, POOL_WRITE_MS);
  }

  private async writeService(key: NamespacedName): Promise<void> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const svc = this.services.get(key);
      const want = this.engine.desiredFor(key.namespace, key.name);
      if (!svc || !want) return;
      const status = nextServiceStatus(svc, want);
      if (!status) return;
      try {
        this.services.noteWrite(await this.opts.store.updateStatus({ ...svc, status }));
        this.writes.serviceStatus++;
        return;
      } catch (err) {
        const found = await this.reread(
          err,
          () => this.opts.store.tryGet('Service', key.name, key.namespace),
          (s) => this.services.noteWrite(s),
        );
        if (!found) return;
      }
    }
  }

  private async writePool(name: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const pool = this.pools.get(namespacedName('', name));
      const want = this.engine.poolConditions(name);
      if (!pool || !want) return;
      const status = nextPoolStatus(pool, want);
      if (!status) return;
      try {
        this.pools.noteWrite(await this.opts.store.updateStatus({ ...pool, status }));
        this.writes.poolStatus++;
        return;
      } catch (err) {
        const found = await this.reread(
          err,
          () => this.opts.store.tryGet('CiliumLoadBalancerIPPool', name),
          (p) => this.pools.noteWrite(p),
        );
        if (!found) return;
      }
    }
  }

  /** On a conflict, re-reads the object into the cache; false when it is gone. Rethrows others. */
  private async reread<T>(
    err: unknown,
    get: () => Promise<T | undefined>,
    put: (o: T) => void,
  ): Promise<boolean> {
    if (err instanceof NotFoundError) return false;
    if (!(err instanceof ConflictError)) throw err;
    this.writes.conflicts++;
    const fresh = await get();
    if (!fresh) return false;
    put(fresh);
    return true;
  }

  /** Fills in a missing clusterIP and nodePorts (spec-fill.ts); returns the updated object if it wrote. */
  private async ensureSpec(svc: Service): Promise<Service | undefined> {
    const name = describe(keyOf(svc));
    const fill = this.filler.fill(name, svc);
    if (!fill) return undefined;
    try {
      const updated = await this.opts.store.update({ ...svc, spec: fill.spec });
      this.services.noteWrite(updated);
      if (fill.spec.clusterIP !== svc.spec.clusterIP) this.writes.clusterIP++;
      this.writes.spec++;
      this.log(`lbipam: service ${name}: ${fill.summary}`);
      return updated;
    } catch (err) {
      // Someone changed it meanwhile; its next event brings us back here with the new version.
      fill.undo();
      if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
      return undefined;
    }
  }
}

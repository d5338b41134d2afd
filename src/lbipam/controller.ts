// The LB-IPAM controller: watches Services and CiliumLoadBalancerIPPools in the Store, feeds them
// to the pure allocator and writes back Service status, pool conditions and missing clusterIPs.
// Level-triggered and idempotent: every write compares with the stored object first, a conflict
// re-reads and retries, and a periodic full resync is the safety net for anything missed.
import type { CiliumLoadBalancerIPPool, Service } from '../api/index.js';
import { ConflictError, NotFoundError, type Store, type Watch, type WatchEvent } from '../store/index.js';
import { ClusterIpAllocator, needsClusterIp } from './cluster-ip.js';
import { LbIpam } from './engine.js';
import type { FamilySupport } from './service-view.js';
import { nextPoolStatus, nextServiceStatus } from './status-write.js';

export interface ControllerOptions {
  store: Store;
  serviceCidr?: string;
  resyncMs?: number;
  families?: FamilySupport;
  log?: (line: string) => void;
}

/** Events for our own writes arrive after we cached the write's result: never go backwards. */
function newer(
  cached: { metadata: { resourceVersion?: string | undefined } } | undefined,
  incoming: typeof cached,
): boolean {
  const a = cached?.metadata.resourceVersion;
  const b = incoming?.metadata.resourceVersion;
  return a === undefined || b === undefined || BigInt(b) >= BigInt(a);
}

const keyOf = (s: Service) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
const MAX_RETRIES = 5;
const POOL_WRITE_MS = 200;

export class LbIpamController {
  readonly engine: LbIpam;
  readonly writes = { serviceStatus: 0, poolStatus: 0, clusterIP: 0, conflicts: 0 };
  private readonly services = new Map<string, Service>();
  private readonly pools = new Map<string, CiliumLoadBalancerIPPool>();
  private readonly clusterIps: ClusterIpAllocator;
  private readonly watches: Watch[] = [];
  private readonly loops: Promise<void>[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private poolTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly log: (line: string) => void;
  private readonly badPools = new Map<string, string>();

  constructor(private readonly opts: ControllerOptions) {
    this.engine = new LbIpam(opts.families);
    this.clusterIps = new ClusterIpAllocator(opts.serviceCidr);
    this.log = opts.log ?? ((line) => process.stdout.write(`${line}\n`));
  }

  /** Lists everything, imports it (satisfied services first), writes what differs, then watches. */
  async start(): Promise<void> {
    const revision = await this.resync();
    for (const kind of ['CiliumLoadBalancerIPPool', 'Service'] as const) {
      const w = this.opts.store.watch({ kind, sinceRevision: revision });
      this.watches.push(w as Watch);
      this.loops.push(this.consume(w as Watch));
    }
    const every = this.opts.resyncMs ?? 5 * 60_000;
    this.timer = setInterval(() => void this.serialize(() => this.resync().then(() => undefined)), every);
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
    for (const w of this.watches) w.close();
    await Promise.allSettled(this.loops);
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

  private async consume(w: Watch): Promise<void> {
    for await (const ev of w) await this.serialize(() => this.handle(ev));
  }

  private async resync(): Promise<string> {
    const store = this.opts.store;
    const pools = await store.list({ kind: 'CiliumLoadBalancerIPPool' });
    const svcs = await store.list({ kind: 'Service' });
    this.applyPools(pools.items);
    await this.applyServices(svcs.items);
    await this.flush();
    return BigInt(pools.revision) < BigInt(svcs.revision) ? pools.revision : svcs.revision;
  }

  private applyPools(items: CiliumLoadBalancerIPPool[]): void {
    const seen = new Set(items.map((p) => p.metadata.name));
    for (const name of this.pools.keys()) {
      if (!seen.has(name)) {
        this.pools.delete(name);
        this.engine.deletePool(name);
      }
    }
    for (const p of items) this.upsertPool(p);
  }

  private async applyServices(items: Service[]): Promise<void> {
    this.services.clear();
    for (const s of items) {
      this.services.set(keyOf(s), s);
      if (s.spec.clusterIP) this.clusterIps.observe(s.spec.clusterIP);
    }
    this.engine.syncServices(items);
    for (const s of items) await this.ensureClusterIp(s);
  }

  private upsertPool(p: CiliumLoadBalancerIPPool): void {
    if (newer(this.pools.get(p.metadata.name), p)) this.pools.set(p.metadata.name, p);
    const res = this.engine.upsertPool(p);
    if (!res.ok && this.badPools.get(p.metadata.name) !== res.error) this.log(`lbipam: ${res.error}`);
    if (!res.ok) this.badPools.set(p.metadata.name, res.error);
    else this.badPools.delete(p.metadata.name);
  }

  private async handle(ev: WatchEvent): Promise<void> {
    if (ev.type === 'RESYNC') {
      if (ev.objects[0]?.kind === 'Service') await this.applyServices(ev.objects as Service[]);
      else if (ev.objects.every((o) => o.kind === 'CiliumLoadBalancerIPPool')) {
        this.applyPools(ev.objects as CiliumLoadBalancerIPPool[]);
      }
      return this.flush();
    }
    const obj = ev.object;
    if (obj.kind === 'CiliumLoadBalancerIPPool') {
      if (ev.type === 'DELETED') {
        this.pools.delete(obj.metadata.name);
        this.engine.deletePool(obj.metadata.name);
      } else this.upsertPool(obj);
    } else if (obj.kind === 'Service') {
      const key = keyOf(obj);
      if (ev.type === 'DELETED') {
        this.services.delete(key);
        if (obj.spec.clusterIP) this.clusterIps.release(obj.spec.clusterIP);
        this.engine.deleteService(obj.metadata.namespace ?? 'default', obj.metadata.name);
      } else {
        const cached = this.services.get(key);
        if (!newer(cached, obj)) return this.flush(); // a stale echo of our own write
        this.services.set(key, obj);
        if (obj.spec.clusterIP) this.clusterIps.observe(obj.spec.clusterIP);
        // ClusterIP first: it bumps the generation, which the condition's observedGeneration follows.
        this.engine.upsertService((await this.ensureClusterIp(obj)) ?? obj);
        await this.writeService(key);
      }
    }
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

  private async writeService(key: string): Promise<void> {
    const [ns = 'default', name = ''] = key.split('/');
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const svc = this.services.get(key);
      const want = this.engine.desiredFor(ns, name);
      if (!svc || !want) return;
      const status = nextServiceStatus(svc, want);
      if (!status) return;
      try {
        this.services.set(key, await this.opts.store.updateStatus({ ...svc, status }));
        this.writes.serviceStatus++;
        return;
      } catch (err) {
        if (
          !(await this.reread(
            err,
            () => this.opts.store.tryGet('Service', name, ns),
            (s) => this.services.set(key, s),
          ))
        ) {
          this.services.delete(key);
          return;
        }
      }
    }
  }

  private async writePool(name: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const pool = this.pools.get(name);
      const want = this.engine.poolConditions(name);
      if (!pool || !want) return;
      const status = nextPoolStatus(pool, want);
      if (!status) return;
      try {
        this.pools.set(name, await this.opts.store.updateStatus({ ...pool, status }));
        this.writes.poolStatus++;
        return;
      } catch (err) {
        const found = await this.reread(
          err,
          () => this.opts.store.tryGet('CiliumLoadBalancerIPPool', name),
          (p) => this.pools.set(name, p),
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

  /** Assigns a clusterIP when the service has none; returns the updated object if it wrote one. */
  private async ensureClusterIp(svc: Service): Promise<Service | undefined> {
    if (!needsClusterIp(svc.spec)) return undefined;
    const ip = this.clusterIps.assign();
    if (!ip) {
      this.log(`lbipam: service ${keyOf(svc)}: no free clusterIP left in the service CIDR`);
      return undefined;
    }
    try {
      const updated = await this.opts.store.update({
        ...svc,
        spec: { ...svc.spec, clusterIP: ip, clusterIPs: [ip] },
      });
      this.services.set(keyOf(svc), updated);
      this.writes.clusterIP++;
      this.log(`lbipam: service ${keyOf(svc)}: clusterIP ${ip}`);
      return updated;
    } catch (err) {
      // Someone changed it meanwhile; its next event brings us back here with the new version.
      this.clusterIps.release(ip);
      if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
      return undefined;
    }
  }
}

// A tiny simulated cluster around the pure allocator, for tests and the benchmark: it keeps the
// objects, stamps creation order like a store does, and writes the desired status back into the
// stored services the way the controller would (then feeds them back, as a watch would).
import { LbIpam } from './engine.js';
import { type FamilySupport, serviceKey } from './service-view.js';
import { SATISFIED_CONDITION, type PoolLike, type ServiceLike } from './types.js';

type ServiceSpec = ServiceLike['spec'];
type PoolSpec = PoolLike['spec'];

export class Sim {
  readonly engine: LbIpam;
  readonly services = new Map<string, ServiceLike>();
  readonly pools = new Map<string, PoolLike>();
  private tick = 0;

  constructor(families?: FamilySupport) {
    this.engine = new LbIpam(families);
  }

  /** Creation times grow one second per created object, so "older" is "created earlier". */
  private stamp(): string {
    return new Date(Date.UTC(2024, 0, 1) + 1000 * this.tick++).toISOString().replace('.000', '');
  }

  pool(name: string, spec: PoolSpec): { ok: boolean; error?: string } {
    const created = this.pools.get(name)?.metadata.creationTimestamp ?? this.stamp();
    const obj: PoolLike = { metadata: { name, creationTimestamp: created }, spec };
    const res = this.engine.upsertPool(obj);
    if (!res.ok) return { ok: false, error: res.error };
    this.pools.set(name, obj);
    this.flush();
    return { ok: true };
  }

  deletePool(name: string): void {
    this.pools.delete(name);
    this.engine.deletePool(name);
    this.flush();
  }

  service(
    name: string,
    spec: ServiceSpec = { type: 'LoadBalancer' },
    meta: { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {},
  ): void {
    const namespace = meta.namespace ?? 'default';
    const key = `${namespace}/${name}`;
    const old = this.services.get(key);
    const obj: ServiceLike = {
      metadata: {
        name,
        namespace,
        labels: meta.labels,
        annotations: meta.annotations,
        generation: (old?.metadata.generation ?? 0) + 1,
        creationTimestamp: old?.metadata.creationTimestamp ?? this.stamp(),
      },
      spec,
      status: old?.status,
    };
    this.services.set(key, obj);
    this.engine.upsertService(obj);
    this.flush();
  }

  deleteService(name: string, namespace = 'default'): void {
    this.services.delete(`${namespace}/${name}`);
    this.engine.deleteService(namespace, name);
    this.flush();
  }

  /** Writes every changed desired status, then re-delivers those services (bounded rounds). */
  flush(): number {
    let writes = 0;
    for (let round = 0; round < 5; round++) {
      const dirty = this.engine.takeDirty();
      if (dirty.length === 0) return writes;
      for (const { namespace, name } of dirty) {
        const obj = this.services.get(serviceKey(namespace, name));
        const want = this.engine.desiredFor(namespace, name);
        if (!obj || !want) continue;
        const others = (obj.status?.conditions ?? []).filter((c) => c.type !== SATISFIED_CONDITION);
        const conditions = want.condition
          ? [...others, { type: SATISFIED_CONDITION, ...want.condition }]
          : others;
        obj.status = { loadBalancer: { ingress: want.ingress.map((ip) => ({ ip })) }, conditions };
        writes++;
        this.engine.upsertService(obj);
      }
    }
    throw new Error('sim: desired status did not settle in 5 rounds');
  }

  /** kubectl's EXTERNAL-IP column. */
  external(name: string, namespace = 'default'): string {
    const ips = (this.services.get(`${namespace}/${name}`)?.status?.loadBalancer?.ingress ?? []).map(
      (i) => i.ip,
    );
    return ips.length > 0 ? ips.join(',') : '<pending>';
  }

  condition(name: string, namespace = 'default') {
    return this.services
      .get(`${namespace}/${name}`)
      ?.status?.conditions?.find((c) => c.type === SATISFIED_CONDITION);
  }
}

// The bench's services written the way the agent's services feature writes them: frontends
// built as src/services/desired.ts would for ClusterIPs, rows by its row builder, written by its
// reconciler. Shared by waggle-sock (bpf_sock's handles) and waggle-tc (bpf_host's handles of
// the same map definitions), so both variants are programmed by the same code.
import type { DesiredFrontend } from '../../src/services/desired.js';
import { IdAllocator } from '../../src/services/ids.js';
import { type ServiceMaps, ServiceReconciler } from '../../src/services/reconciler.js';
import { desiredRows } from '../../src/services/rows.js';
import type { BenchService } from './rules.js';

export function benchFrontends(services: readonly BenchService[]): DesiredFrontend[] {
  return services.map((s) => ({
    service: `${s.ns}/${s.svc}`,
    portName: 'p80',
    type: 'ClusterIP',
    address: s.vip,
    port: s.port,
    proto: 'TCP',
    backends: s.endpoints.map((e) => ({
      address: e.ip,
      port: e.port,
      proto: 'TCP' as const,
      state: 'active' as const,
      slot: true,
    })),
  }));
}

export class ServiceWriter {
  #rec: ServiceReconciler | undefined;

  constructor(
    readonly who: string,
    readonly maps: ServiceMaps,
  ) {}

  /** Programs `services` into empty maps; returns the milliseconds (rows built + written). */
  program(services: readonly BenchService[]): number {
    this.clear();
    const t0 = process.hrtime.bigint();
    const ids = { services: new IdAllocator(1, 0xffff), backends: new IdAllocator(1, 0xffffffff) };
    const want = desiredRows(benchFrontends(services), ids);
    if (want.problems.length) throw new Error(`${this.who}: ${want.problems.slice(0, 3).join('; ')}`);
    const rec = new ServiceReconciler(this.maps);
    const r = rec.apply(want, { prune: true });
    const took = Number(process.hrtime.bigint() - t0) / 1e6;
    this.#rec = rec;
    if (r.errors.length)
      throw new Error(`${this.who}: map writes failed: ${r.errors.slice(0, 3).join('; ')}`);
    return took;
  }

  /** Empties the maps through the reconciler (untimed: "from scratch" starts after this). */
  clear(): void {
    this.#rec?.apply(
      { frontends: [], backends: new Map(), revNat: new Map(), sourceRanges: [], problems: [] },
      { prune: true },
    );
    this.#rec = undefined;
  }
}

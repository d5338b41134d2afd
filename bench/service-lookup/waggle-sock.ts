// waggle's real socket LB for the bench: bpf_sock.o loaded through the agent's own loader into
// a private bpffs, its four hooks attached to a cgroup the bench creates (never the root), and
// the waggle_lb4_* maps filled by the services feature's own row builder and reconciler.
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSockDatapath, type SockDatapath } from '../../src/datapath/sock-datapath.js';
import { findCgroup2Mount } from '../../src/lib/cgroup2.js';
import type { DesiredFrontend } from '../../src/services/desired.js';
import { IdAllocator } from '../../src/services/ids.js';
import { ServiceReconciler } from '../../src/services/reconciler.js';
import { desiredRows } from '../../src/services/rows.js';
import { attachSockLb, detachSockLb } from '../../src/services/sock-links.js';
import { type TempBpffs, tempBpffs } from '../../src/testing/bpffs.js';
import type { BenchService } from './rules.js';

export class WaggleSock {
  readonly cgroup: string;
  #fs: TempBpffs;
  #dp: SockDatapath;
  #rec: ServiceReconciler | undefined;

  constructor() {
    const root = findCgroup2Mount();
    if (!root) throw new Error('waggle-sock: no cgroup2 mount on this host (socket LB needs cgroup v2)');
    this.cgroup = join(root, `waggle-bench-sl-${process.pid}`);
    this.#fs = tempBpffs();
    try {
      // 30k services × (master + 2 slots) = 90k rows: above the agent's 64k default.
      this.#dp = loadSockDatapath({
        pinDir: this.#fs.dir,
        sizes: { services: 131072, backends: 131072, reverseNat: 65536, reverseSk: 65536 },
      });
      mkdirSync(this.cgroup);
      attachSockLb(this.#dp.programs, this.cgroup, this.#fs.dir);
    } catch (err) {
      this.destroy();
      throw err;
    }
  }

  /** Programs `services` into empty maps; returns the milliseconds (rows built + written). */
  program(services: readonly BenchService[]): number {
    this.clear();
    const t0 = process.hrtime.bigint();
    const frontends: DesiredFrontend[] = services.map((s) => ({
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
    const ids = { services: new IdAllocator(1, 0xffff), backends: new IdAllocator(1, 0xffffffff) };
    const want = desiredRows(frontends, ids);
    if (want.problems.length) throw new Error(`waggle-sock: ${want.problems.slice(0, 3).join('; ')}`);
    const rec = new ServiceReconciler({
      services: this.#dp.maps.services,
      backends: this.#dp.maps.backends,
      revNat: this.#dp.maps.reverseNat,
    });
    const r = rec.apply(want, { prune: true });
    const took = Number(process.hrtime.bigint() - t0) / 1e6;
    this.#rec = rec;
    if (r.errors.length)
      throw new Error(`waggle-sock: map writes failed: ${r.errors.slice(0, 3).join('; ')}`);
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

  destroy(): void {
    try {
      detachSockLb(this.#fs.dir);
    } catch {}
    try {
      this.#dp?.close();
    } catch {}
    try {
      rmdirSync(this.cgroup);
    } catch {}
    this.#fs.cleanup();
  }
}

// waggle's real socket LB for the bench: bpf_sock.o loaded through the agent's own loader into
// a private bpffs, its four hooks attached to a cgroup the bench creates (never the root), and
// the waggle_lb4_* maps filled by the services feature's own row builder and reconciler
// (waggle-rows.ts).
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSockDatapath, type SockDatapath } from '../../src/datapath/sock-datapath.js';
import { findCgroup2Mount } from '../../src/lib/cgroup2.js';
import { attachSockLb, detachSockLb } from '../../src/services/sock-links.js';
import { type TempBpffs, tempBpffs } from '../../src/testing/bpffs.js';
import type { BenchService } from './rules.js';
import { ServiceWriter } from './waggle-rows.js';

export class WaggleSock {
  readonly cgroup: string;
  #fs: TempBpffs;
  #dp: SockDatapath;
  #writer: ServiceWriter;

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
      this.#writer = new ServiceWriter('waggle-sock', {
        services: this.#dp.maps.services,
        backends: this.#dp.maps.backends,
        revNat: this.#dp.maps.reverseNat,
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
    return this.#writer.program(services);
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

// The cluster-pool controller (waggle operator): every Node gets a block of the cluster pool,
// recorded on its CiliumNode as spec.ipam.podCIDRs (the CiliumNode is created when missing); a
// deleted Node's block is released and its CiliumNode deleted, as Cilium's operator
// garbage-collects CiliumNodes without a Node.
//
// - Restart: every CiliumNode's podCIDRs[0] is imported before anything is allocated (the
//   import gate of src/lbipam/controller.ts), so no node's block moves.
// - Exhaustion: logged once per node and message, and written to the CiliumNode as
//   status.ipam.operator-status.error, the field Cilium's operator reports IPAM errors in; it is
//   cleared when the node gets a block.
// - Concurrency: work is serialized in this process; every write is a compare-and-swap on the
//   CiliumNode's resourceVersion, and a conflict re-reads and decides again (adopting a block
//   someone else wrote only if no other node holds it). One operator per cluster, as for LB-IPAM.
import { type CiliumNode, namespacedName, type Node } from '../api/index.js';
import type { Informer, Informers } from '../store/informer.js';
import { AlreadyExistsError, ConflictError, NotFoundError, type Store } from '../store/index.js';
import type { ClusterPool } from './cluster-pool.js';

export interface ClusterPoolControllerOptions {
  store: Store;
  informers: Informers;
  pool: ClusterPool;
  /** Full resync period (default 5 min); also the grace before an orphaned CiliumNode is deleted. */
  resyncMs?: number;
  log?: (line: string) => void;
}

const MAX_RETRIES = 5;
const key = (name: string) => namespacedName('', name);

export class ClusterPoolController {
  readonly writes = { created: 0, updated: 0, status: 0, deleted: 0, conflicts: 0 };
  readonly #o: ClusterPoolControllerOptions;
  readonly #nodes: Informer<'Node'>;
  readonly #cns: Informer<'CiliumNode'>;
  readonly #log: (line: string) => void;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #reported = new Map<string, string>();
  /** CiliumNodes without a Node at the last resync: deleted if still orphaned at the next. */
  #orphans = new Set<string>();
  #importing = true;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(opts: ClusterPoolControllerOptions) {
    this.#o = opts;
    this.#nodes = opts.informers.for('Node');
    this.#cns = opts.informers.for('CiliumNode');
    this.#log = opts.log ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get pool(): ClusterPool {
    return this.#o.pool;
  }

  async start(): Promise<void> {
    const live = (fn: () => Promise<void>) => {
      if (!this.#importing) void this.#serialize(fn);
    };
    this.#unsubscribe.push(
      this.#nodes.subscribe((ev) =>
        live(() => {
          if (ev.type === 'sync') return this.#resync();
          const name = ev.object.metadata.name;
          return ev.type === 'delete' ? this.#nodeGone(name) : this.#ensure(name);
        }),
      ),
      this.#cns.subscribe((ev) =>
        live(async () => {
          if (ev.type === 'sync') return this.#resync();
          const name = ev.object.metadata.name;
          if (this.#nodes.get(key(name))) await this.#ensure(name);
        }),
      ),
    );
    await Promise.all([this.#nodes.start(), this.#cns.start()]);
    await this.#serialize(async () => {
      this.#importing = false; // events from here on queue behind the import
      this.#importAll();
      await this.#resync();
    });
    this.#timer = setInterval(() => void this.#serialize(() => this.#resync()), this.#o.resyncMs ?? 300_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const off of this.#unsubscribe) off();
    await this.#chain;
  }

  /** Resolves when every event received so far has been handled (tests use it). */
  idle(): Promise<void> {
    return this.#chain;
  }

  #serialize(fn: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain
      .then(() => (this.#stopping ? undefined : fn()))
      .catch((err: unknown) => {
        if (!this.#stopping) this.#log(`cluster-pool: ${err instanceof Error ? err.message : String(err)}`);
      });
    return this.#chain;
  }

  /** Oldest CiliumNode first, so of two claiming one block the older keeps it. */
  #importAll(): void {
    const items = this.#cns
      .list()
      .sort(
        (a, b) =>
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    for (const cn of items) {
      const cidr = cn.spec.ipam?.podCIDRs?.[0];
      if (!cidr) continue;
      const r = this.pool.import(cn.metadata.name, cidr);
      if (!r.ok) this.#log(`cluster-pool: CiliumNode ${cn.metadata.name} spec.ipam.podCIDRs[0]: ${r.error}`);
    }
    this.#log(
      `cluster-pool: imported ${this.pool.used}/${this.pool.total} blocks of ${this.pool.cidrs.join(',')}`,
    );
  }

  async #resync(): Promise<void> {
    const nodes = new Set(this.#nodes.list().map((n: Node) => n.metadata.name));
    for (const name of [...nodes].sort()) await this.#ensure(name);
    const orphans = new Set<string>();
    for (const cn of this.#cns.list()) {
      const name = cn.metadata.name;
      if (nodes.has(name)) continue;
      if (this.#orphans.has(name)) await this.#nodeGone(name);
      else orphans.add(name);
    }
    this.#orphans = orphans;
  }

  async #nodeGone(name: string): Promise<void> {
    const cidr = this.pool.release(name);
    this.#reported.delete(name);
    if (cidr) this.#log(`cluster-pool: node ${name}: released ${cidr}`);
    // A freed block is for a node that is waiting for one.
    if (cidr) for (const waiting of [...this.#reported.keys()].sort()) await this.#ensure(waiting);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const cn = this.#cns.get(key(name)) ?? (await this.#o.store.tryGet('CiliumNode', name));
      if (!cn) return;
      try {
        const rv = cn.metadata.resourceVersion;
        await this.#o.store.delete('CiliumNode', name, undefined, rv ? { resourceVersion: rv } : {});
        this.writes.deleted++;
        return;
      } catch (err) {
        if (err instanceof NotFoundError) return;
        if (!(await this.#reread(err, name))) return;
      }
    }
  }

  /** Gives the node its block (or reports why not) and records it on its CiliumNode. */
  async #ensure(name: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_RETRIES && !this.#stopping; attempt++) {
      const cn = this.#cns.get(key(name));
      const stored = cn?.spec.ipam?.podCIDRs?.[0];
      // A block written by someone else since the import is adopted when no other node holds it.
      if (stored && this.pool.cidrOf(name) !== stored && this.pool.import(name, stored).ok)
        this.#log(`cluster-pool: node ${name}: adopted ${stored} from its CiliumNode`);
      const want = this.pool.allocate(name);
      try {
        if (!want.ok) return await this.#reportError(name, cn, want.error);
        if (!cn) {
          const created = await this.#o.store.create(ciliumNode(name, [want.value]));
          this.#cns.noteWrite(created);
          this.writes.created++;
          this.#log(`cluster-pool: node ${name}: ${want.value} (CiliumNode created)`);
          return;
        }
        if (stored !== want.value) {
          const ipam = { ...cn.spec.ipam, podCIDRs: [want.value] };
          this.#cns.noteWrite(await this.#o.store.update({ ...cn, spec: { ...cn.spec, ipam } }));
          this.writes.updated++;
          this.#log(`cluster-pool: node ${name}: ${want.value}${stored ? ` (was ${stored})` : ''}`);
          continue; // the status error (if any) is cleared on the next pass, from the new version
        }
        if (cn.status?.ipam?.['operator-status']) await this.#writeStatus(cn, undefined);
        this.#reported.delete(name);
        return;
      } catch (err) {
        if (!(await this.#reread(err, name))) return;
      }
    }
  }

  async #reportError(name: string, cn: CiliumNode | undefined, error: string): Promise<void> {
    if (this.#reported.get(name) !== error) this.#log(`cluster-pool: ${error}`);
    this.#reported.set(name, error);
    let target = cn;
    if (!target) {
      target = await this.#o.store.create(ciliumNode(name, undefined));
      this.#cns.noteWrite(target);
      this.writes.created++;
    }
    if (target.status?.ipam?.['operator-status']?.error !== error) await this.#writeStatus(target, error);
  }

  async #writeStatus(cn: CiliumNode, error: string | undefined): Promise<void> {
    const { 'operator-status': _old, ...ipam } = cn.status?.ipam ?? {};
    const next = error === undefined ? ipam : { ...ipam, 'operator-status': { error } };
    const written = await this.#o.store.updateStatus({ ...cn, status: { ...cn.status, ipam: next } });
    this.#cns.noteWrite(written);
    this.writes.status++;
  }

  /** After a lost race: re-reads the CiliumNode into the cache; false when there is no point. */
  async #reread(err: unknown, name: string): Promise<boolean> {
    if (!(err instanceof ConflictError || err instanceof AlreadyExistsError || err instanceof NotFoundError))
      throw err;
    this.writes.conflicts++;
    const fresh = await this.#o.store.tryGet('CiliumNode', name);
    if (fresh) this.#cns.noteWrite(fresh);
    return true;
  }
}

function ciliumNode(name: string, podCIDRs: string[] | undefined): CiliumNode {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNode',
    metadata: { name },
    spec: podCIDRs ? { ipam: { podCIDRs } } : {},
  };
}

// The agent's `services` module: Services × EndpointSlices from the informers → desired rows →
// the service maps (bpf_sock.o's, pinned), and socket LB on the node's cgroup. A pass runs on
// every change (coalesced: one per tick) over the Services it touched (incremental-pass.ts), and
// over everything on the first pass and every RESYNC_MS against the maps' real contents.
// Nothing runs before both kinds have been listed once, so a restarted agent never prunes — or
// empties — a service because its EndpointSlices have not arrived yet; until then the pinned rows
// of the earlier run keep serving. IDs come back from those rows (ids.ts).
import type { Registry } from 'prom-client';
import type { AgentModule, StopReason } from '../agent/module.js';
import { detachPinnedCgroup } from '../bpf/index.js';
import type { TypedMap } from '../bpf/typed-map.js';
import { loadSockDatapath, type LbMapSizes, type SockDatapath } from '../datapath/sock-datapath.js';
import { errorMessage } from '../lib/errors.js';
import { keyOfObject } from '../api/object-key.js';
import type { Informers } from '../store/informer.js';
import { resolveCgroupRoot } from './cgroup-root.js';
import { type DesiredFrontend, desiredFrontends, l3n4 } from './desired.js';
import { IdAllocator, releaseUnused } from './ids.js';
import { type ChangeAction, ServicesMetrics } from './metrics.js';
import { ServiceReconciler } from './reconciler.js';
import { restoreIds } from './restore.js';
import { ServiceIndex, serviceKey } from './service-index.js';
import { backendIdsOf, incrementalPass } from './incremental-pass.js';
import { SourceRangeReconciler } from './source-ranges.js';
import { applyTrafficPolicies } from './traffic-policy.js';
import { desiredRows } from './rows.js';
import { attachSockLb, detachSockLb } from './sock-links.js';
import { backendText, lbListRows, type ServiceListEntry, serviceListRows } from './views.js';

export const RESYNC_MS = 5 * 60_000;
/** Changes waiting for a pass whose delay is measured; more are counted but not timed. */
const MAX_PENDING = 10_000;

export interface ServicesModuleOptions {
  /** This node's name: traffic policies Local keep the backends whose slice says it. */
  node: string;
  objPath: string;
  pinDir: string;
  stateDir: string;
  sizes: LbMapSizes;
  /** --bpf-lb-sock */
  socketLb: boolean;
  /** --cgroup-root */
  cgroupRoot: string | undefined;
  informers(): Informers;
  /** The native devices, for the KubeProxyReplacement line. */
  devices(): Array<{ name: string; addresses: string[] }>;
  /** Shows the service maps in `waggle map list|get`; returns their removal (before our fds close). */
  registerMaps?(maps: Array<TypedMap<unknown, unknown>>): () => void;
  log(msg: string): void;
  resyncMs?: number;
}

export interface ServicesStatus {
  kubeProxyReplacement: boolean;
  devices: Array<{ name: string; addresses: string[] }>;
  socketLb: { enabled: boolean; cgroupRoot: string | null };
  synced: boolean;
  frontends: number;
  /** Of those, the NodePort (0.0.0.0:<nodePort>) frontends. */
  nodePortFrontends: number;
  backends: number;
  conflicts: string[];
  errors: string[];
}

export class ServicesModule implements AgentModule {
  readonly name = 'services';
  readonly #o: ServicesModuleOptions;
  #dp: SockDatapath | undefined;
  #rec: ServiceReconciler | undefined;
  #ranges: SourceRangeReconciler | undefined;
  readonly #ids = { services: new IdAllocator(1, 0xffff), backends: new IdAllocator(1, 0xffffffff) };
  #cgroupRoot: string | null = null;
  #madeLinks: string[] = [];
  #offs: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #synced = false;
  #stopped = false;
  /** The last pass's frontends; undefined after an incremental pass, until asked for. */
  #frontends: DesiredFrontend[] | undefined = [];
  readonly #index = new ServiceIndex();
  /** The next pass must be a full one (the first pass, a resync, a failed write, a conflict). */
  #fullNext = true;
  #conflicts: string[] = [];
  #errors: string[] = [];
  #pending: Array<{ at: bigint; action: ChangeAction }> = [];
  #metrics: ServicesMetrics | undefined;

  constructor(o: ServicesModuleOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    const dp = loadSockDatapath({ objPath: this.#o.objPath, pinDir: this.#o.pinDir, sizes: this.#o.sizes });
    this.#dp = dp;
    const unregister = this.#o.registerMaps?.(Object.values(dp.maps) as Array<TypedMap<unknown, unknown>>);
    if (unregister) this.#offs.push(unregister);
    const rec = new ServiceReconciler({
      services: dp.maps.services,
      backends: dp.maps.backends,
      revNat: dp.maps.reverseNat,
    });
    rec.load();
    this.#rec = rec;
    this.#ranges = new SourceRangeReconciler(dp.maps.sourceRange);
    this.#ranges.load();
    const restored = restoreIds(rec, this.#ids);
    if (restored.services + restored.backends > 0)
      this.#o.log(
        `services: ${restored.services} service IDs and ${restored.backends} backend IDs restored from ${this.#o.pinDir}`,
      );
    if (this.#o.socketLb) {
      this.#cgroupRoot = await resolveCgroupRoot(this.#o.cgroupRoot, this.#o.stateDir);
      this.#madeLinks = attachSockLb(dp.programs, this.#cgroupRoot, this.#o.pinDir);
      this.#o.log(`services: socket LB attached to cgroup ${this.#cgroupRoot}`);
    } else if (detachSockLb(this.#o.pinDir) > 0)
      this.#o.log('services: --bpf-lb-sock=false; socket LB detached');
    const inf = this.#o.informers();
    this.#offs.push(
      inf.for('Service').subscribe((ev) => {
        this.#index.serviceEvent(ev);
        this.#changed(ev.type === 'sync' ? undefined : actionOf(ev));
      }),
      inf.for('EndpointSlice').subscribe((ev) => {
        this.#index.sliceEvent(ev);
        this.#changed(ev.type === 'sync' ? undefined : actionOf(ev));
      }),
    );
    void this.#listThenSync();
  }

  async #listThenSync(): Promise<void> {
    const inf = this.#o.informers();
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        await Promise.all([inf.for('Service').start(), inf.for('EndpointSlice').start()]);
        break;
      } catch (err) {
        if (attempt === 1)
          this.#o.log(`services: cannot list Services/EndpointSlices yet (${errorMessage(err)}); retrying`);
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
    if (this.#stopped) return;
    this.#synced = true;
    this.pass();
    this.#timer = setInterval(() => this.resync(), this.#o.resyncMs ?? RESYNC_MS);
    this.#timer.unref();
  }

  #changed(action: ChangeAction | undefined): void {
    if (action && this.#pending.length < MAX_PENDING)
      this.#pending.push({ at: process.hrtime.bigint(), action });
    if (!this.#synced || this.#stopped || this.#immediate) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      this.pass();
    });
  }

  /** Reads the maps again (repairing drift), then a pass. */
  resync(): void {
    if (!this.#rec || this.#stopped) return;
    try {
      this.#rec.load();
      this.#ranges?.load();
    } catch (err) {
      this.#o.log(`services: resync: reading the maps: ${errorMessage(err)}`);
    }
    this.#fullNext = true;
    this.pass();
  }

  /**
   * One pass, synchronous: over the Services touched since the last one (incremental-pass.ts),
   * or, the first time, on a resync, after a failed write or whenever the short way declines,
   * over everything: desired rows from the informers' caches, written in order.
   */
  pass(): void {
    const rec = this.#rec;
    if (!rec || !this.#synced || this.#stopped) return;
    const dirty = this.#index.takeDirty();
    const inf = this.#o.informers();
    const r = this.#fullNext
      ? undefined
      : incrementalPass({
          dirty,
          service: (k) => inf.for('Service').get(k),
          index: this.#index,
          ids: this.#ids,
          rec,
          node: this.#o.node,
        });
    if (r) {
      this.#frontends = undefined;
      this.#errors = r.errors;
      // A failed write is retried by a full pass, as the full pass retries its own.
      this.#fullNext = r.errors.length > 0;
      for (const e of r.errors) this.#o.log(`services: ${e}`);
    } else this.#fullPass(rec);
    const now = process.hrtime.bigint();
    for (const p of this.#pending)
      this.#metrics?.delay.observe({ action: p.action }, Number(now - p.at) / 1e9);
    this.#pending = [];
  }

  #fullPass(rec: ServiceReconciler): void {
    const inf = this.#o.informers();
    const svcs = inf.for('Service').list();
    const all = desiredFrontends(svcs, inf.for('EndpointSlice').list());
    const { frontends, problems } = applyTrafficPolicies(all.frontends, svcs, this.#o.node);
    const conflicts = [...all.conflicts, ...problems];
    const want = desiredRows(frontends, this.#ids);
    const rangeErrors = this.#ranges?.add(want.sourceRanges) ?? [];
    const r = rec.apply(want, { prune: true });
    rangeErrors.push(...(this.#ranges?.prune(want.sourceRanges) ?? []));
    r.errors.push(...rangeErrors);
    releaseUnused(this.#ids, want, rec);
    this.#index.clear();
    const bySvc = new Map<string, DesiredFrontend[]>(svcs.map((s) => [serviceKey(keyOfObject(s)), []]));
    for (const fe of frontends) bySvc.set(fe.service, [...(bySvc.get(fe.service) ?? []), fe]);
    for (const [key, fes] of bySvc) this.#index.record(key, fes, backendIdsOf(fes, this.#ids.backends));
    this.#frontends = frontends;
    this.#conflicts = [...conflicts, ...want.problems];
    this.#errors = r.errors;
    // The short way stays off while anything here needs the whole picture to be decided.
    this.#fullNext = this.#conflicts.length > 0 || r.errors.length > 0;
    for (const e of r.errors) this.#o.log(`services: ${e}`);
  }

  /** The frontends of the last pass, sorted as a full pass sorts them. */
  #frontendList(): DesiredFrontend[] {
    this.#frontends ??= this.#index.allFrontends().sort((a, b) => l3n4(a).localeCompare(l3n4(b)));
    return this.#frontends;
  }

  stop(reason: StopReason): void {
    this.#stopped = true;
    for (const off of this.#offs) off();
    this.#offs = [];
    if (this.#timer) clearInterval(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    // A normal stop leaves socket LB attached for the next agent; a failed start takes back its own.
    if (reason === 'failed-start') for (const pin of this.#madeLinks) detachPinnedCgroup(pin);
    this.#dp?.close();
    this.#dp = undefined;
  }

  registerMetrics(registers: Registry[]): void {
    this.#metrics = new ServicesMetrics(registers, {
      frontends: () => this.#rec?.masters().length ?? 0,
      backends: () => this.#rec?.backends().size ?? 0,
    });
  }

  status(): ServicesStatus {
    return {
      kubeProxyReplacement: this.#o.socketLb && this.#cgroupRoot !== null,
      devices: this.#o.devices(),
      socketLb: { enabled: this.#o.socketLb, cgroupRoot: this.#cgroupRoot },
      synced: this.#synced,
      frontends: this.#rec?.masters().length ?? 0,
      nodePortFrontends: this.#frontendList().filter((f) => f.type === 'NodePort').length,
      backends: this.#rec?.backends().size ?? 0,
      conflicts: this.#conflicts,
      errors: this.#errors,
    };
  }

  /** `waggle service list`: the frontends of the last pass with their IDs and backends. */
  serviceList(): { columns: string[]; rows: string[][]; entries: ServiceListEntry[] } {
    const entries: ServiceListEntry[] = this.#frontendList().flatMap((fe) => {
      const id = this.#ids.services.get(l3n4(fe));
      if (id === undefined) return [];
      const backends = fe.backends.map((b) => ({
        address: l3n4(b),
        state: b.state === 'terminating' && !b.slot ? 'terminating-not-serving' : b.state,
      }));
      // The internal row set of a two-scope frontend shows as Cilium prints it: `/i`.
      const frontend = fe.scope === 1 ? `${l3n4(fe)}/i` : l3n4(fe);
      return [{ id, frontend, type: fe.type, service: fe.service, backends }];
    });
    return {
      columns: ['ID', 'Frontend', 'Service Type', 'Backend'],
      rows: serviceListRows(entries),
      entries,
    };
  }

  /** `waggle bpf lb list`: the service and backend maps as they are. */
  lbList(): { columns: string[]; rows: string[][] } {
    const dp = this.#dp;
    if (!dp) return { columns: [], rows: [] };
    const backends = new Map(dp.maps.backends.entries());
    return {
      columns: ['SERVICE ADDRESS', 'BACKEND ADDRESS (REVNAT_ID) (SLOT)'],
      rows: lbListRows(dp.maps.services.entries(), backends),
    };
  }

  /** `waggle bpf lb list --backends`. */
  backendList(): Array<{ id: number; address: string; state: string }> {
    return [...(this.#dp?.maps.backends.entries() ?? [])].map(([id, b]) => ({ id, ...backendText(b) }));
  }
}

function actionOf(ev: { type: 'upsert' | 'delete'; old?: unknown }): ChangeAction {
  if (ev.type === 'delete') return 'delete';
  return ev.old === undefined ? 'add' : 'update';
}

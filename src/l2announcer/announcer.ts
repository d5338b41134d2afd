// The L2 announcer: store objects × this node's devices → selected services (selection.ts) →
// one election per service (elections.ts) → desired rows for the services we lead (desired.ts)
// → the responder map (reconciler.ts). Any change recomputes everything from the cache
// (level-triggered); a full map resync runs at start and every 5 minutes.
import { type CiliumL2AnnouncementPolicy, namespacedName } from '../api/index.js';
import type { Informer, Informers } from '../store/informer.js';
import type { Store } from '../store/types.js';
import { type Clock, systemClock } from './clock.js';
import { nextConditions } from './conditions.js';
import { type DesiredRow, desiredRows } from './desired.js';
import { Elections } from './elections.js';
import type { LeaseClient } from './lease-client.js';
import { FULL_RESYNC_INTERVAL_MS, type ResponderMap, ResponderReconciler } from './reconciler.js';
import { type SelectedService, selectServices } from './selection.js';
import type { LeaseTimings } from './timings.js';
import type { L2PolicyLike, ServiceLike } from './types.js';

export interface AnnouncerOptions {
  store: Store;
  /** The process's informers: the announcer reads Services, L2 policies and Nodes from them. */
  informers: Informers;
  leases: LeaseClient;
  nodeName: string;
  clock: Clock;
  timings: LeaseTimings;
  responder: ResponderMap;
  /** Names of the selected devices right now. */
  deviceNames(): string[];
  ifindexOf(iface: string): number | undefined;
  garp(row: { ip: string; iface: string; ifindex: number }): void;
  log(msg: string): void;
  /** Observers (metrics). */
  onLeadingChanged?(service: string, leading: boolean): void;
  onResponderWriteError?(row: { ip: string; iface: string }, reason: 'map_full' | 'write_failed'): void;
}

export class L2Announcer {
  #o: AnnouncerOptions;
  #services: Informer<'Service'>;
  #policies: Informer<'CiliumL2AnnouncementPolicy'>;
  #nodes: Informer<'Node'>;
  #elections: Elections;
  #reconciler: ResponderReconciler;
  #selected = new Map<string, SelectedService>();
  #rows: DesiredRow[] = [];
  #abort = new AbortController();
  #tasks: Promise<void>[] = [];
  #resync: NodeJS.Timeout | undefined;
  #scheduled = false;
  #scheduleTimer: NodeJS.Timeout | undefined;
  #unsubscribe: Array<() => void> = [];
  #finishInitialSync: (() => void) | undefined;
  #synced!: () => void;
  /** Settles when the initial sync is done: the responder map holds only what this run wants. */
  readonly initialSync = new Promise<void>((resolve) => {
    this.#synced = resolve;
  });

  constructor(opts: AnnouncerOptions) {
    this.#o = opts;
    this.#services = opts.informers.for('Service');
    this.#policies = opts.informers.for('CiliumL2AnnouncementPolicy');
    this.#nodes = opts.informers.for('Node');
    this.#elections = new Elections({
      client: opts.leases,
      clock: opts.clock,
      identity: opts.nodeName,
      timings: opts.timings,
      log: opts.log,
      onLeadingChanged: (svc, leading) => {
        opts.onLeadingChanged?.(svc, leading);
        this.#applyRows(false);
      },
    });
    this.#reconciler = new ResponderReconciler({
      map: opts.responder,
      ifindexOf: opts.ifindexOf,
      garp: opts.garp,
      log: opts.log,
      ...(opts.onResponderWriteError ? { onWriteError: opts.onResponderWriteError } : {}),
    });
  }

  get elections(): Elections {
    return this.#elections;
  }

  get selected(): SelectedService[] {
    return [...this.#selected.values()];
  }

  get rows(): DesiredRow[] {
    return this.#rows;
  }

  get initialSyncDone(): boolean {
    return this.#reconciler.initialSyncDone;
  }

  /**
   * Starts the clock on the initial sync: entries pinned by a previous run are removed once
   * every election has had its first say, and at the latest after the renew deadline — even if
   * the store cannot be reached at all, since then this node cannot be leading anything.
   */
  armInitialSync(): void {
    const finish = () => {
      if (this.#reconciler.initialSyncDone) return;
      this.#reconciler.markInitialSyncDone();
      this.#applyRows(true);
      this.#o.log('l2 announcer: initial sync done');
      this.#synced();
    };
    const timer = setTimeout(finish, this.#o.timings.renewDeadlineMs);
    this.#finishInitialSync = () => {
      clearTimeout(timer);
      finish();
    };
  }

  async start(): Promise<void> {
    if (!this.#finishInitialSync) this.armInitialSync();
    // Store outages leave the informers' last known state in place; elections, not the cache,
    // decide what happens then.
    for (const inf of [this.#services, this.#policies])
      this.#unsubscribe.push(inf.subscribe(() => this.schedule()));
    // Selection reads only this node's labels: other nodes' heartbeats (every 10 s each) and our
    // own status updates are no reason to recompute.
    this.#unsubscribe.push(
      this.#nodes.subscribe((ev) => {
        if (ev.type === 'sync') return this.schedule();
        if (ev.object.metadata.name !== this.#o.nodeName) return;
        const labels = (o: typeof ev.object | undefined) => JSON.stringify(o?.metadata.labels ?? {});
        if (ev.type === 'delete' || !ev.old || labels(ev.old) !== labels(ev.object)) this.schedule();
      }),
    );
    await Promise.all([this.#services.start(), this.#policies.start(), this.#nodes.start()]);
    this.#recompute();
    this.#reconciler.fullSync(this.#rows);
    this.#tasks.push(this.#elections.runGarbageCollector(this.#abort.signal));
    this.#tasks.push(this.#elections.firstAttempts().then(() => this.#finishInitialSync?.()));
    this.#resync = setInterval(() => this.#applyRows(true), FULL_RESYNC_INTERVAL_MS);
  }

  /** Coalesces bursts of changes into one recomputation. */
  schedule(): void {
    if (this.#scheduled || this.#abort.signal.aborted) return;
    this.#scheduled = true;
    this.#scheduleTimer = setTimeout(() => {
      this.#scheduled = false;
      this.#recompute();
    }, 20);
  }

  /** Re-evaluates selection after a device change. */
  devicesChanged(): void {
    this.schedule();
  }

  #recompute(): void {
    const node = this.#nodes.get({ namespace: '', name: this.#o.nodeName });
    if (!node) {
      this.#o.log(`l2 announcer: node ${this.#o.nodeName} not in the store yet; nothing selected`);
      this.#selected = new Map();
    } else {
      const result = selectServices({
        node,
        policies: this.#policies.list() as L2PolicyLike[],
        services: this.#services.list() as ServiceLike[],
        devices: this.#o.deviceNames(),
      });
      this.#selected = result.services;
      for (const p of this.#policies.list()) {
        const checks = result.checks.get(p.metadata.name);
        if (checks) void this.#writeConditions(p, checks);
      }
    }
    void this.#elections.sync(
      [...this.#selected.values()].map((s) =>
        namespacedName(s.service.metadata.namespace ?? 'default', s.service.metadata.name),
      ),
    );
    this.#applyRows(false);
  }

  #applyRows(full: boolean): void {
    this.#rows = desiredRows(this.#selected.values(), (k) => this.#elections.isLeading(k));
    try {
      if (full) this.#reconciler.fullSync(this.#rows);
      else this.#reconciler.apply(this.#rows);
    } catch (err) {
      this.#o.log(`responder reconcile: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async #writeConditions(
    policy: CiliumL2AnnouncementPolicy,
    checks: Parameters<typeof nextConditions>[1],
  ): Promise<void> {
    const conditions = nextConditions(
      policy.status?.conditions,
      checks,
      policy.metadata.generation,
      new Date(),
    );
    if (!conditions) return;
    try {
      await this.#o.store.updateStatus({
        ...policy,
        status: { ...policy.status, conditions },
      } as CiliumL2AnnouncementPolicy);
      for (const c of conditions)
        if (c.status === 'True') this.#o.log(`policy ${policy.metadata.name}: ${c.type}: ${c.message}`);
    } catch (err) {
      // A conflict means another agent wrote first; the watch brings us its version.
      this.#o.log(
        `policy ${policy.metadata.name} status: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** Stops elections (releasing leases, which removes our rows) and the watch. */
  async stop(): Promise<void> {
    if (this.#resync) clearInterval(this.#resync);
    if (this.#scheduleTimer) clearTimeout(this.#scheduleTimer);
    for (const off of this.#unsubscribe) off();
    this.#abort.abort();
    await this.#elections.stopAll();
    // Bounded: a task stuck on a dead store must not hold shutdown, nor (once done) a timer the process.
    const bound = new AbortController();
    await Promise.race([Promise.allSettled(this.#tasks), systemClock.sleep(2000, bound.signal)]);
    bound.abort();
  }
}

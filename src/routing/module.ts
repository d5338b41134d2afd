// The agent's node routes (--auto-direct-node-routes with native routing): a pass on every
// CiliumNode event — coalesced, one pass at a time — and every 30 s, which also catches a
// changed path to a node (a device or gateway the informer cannot see). Nothing is pruned
// before the first complete listing. stop() leaves the routes in place, as Cilium does: they
// stay correct while the agent is down and a restarted agent adopts them by their protocol.
import type { AgentModule } from '../agent/module.js';
import { errorMessage } from '../lib/errors.js';
import type { Informers } from '../store/informer.js';
import { NodeRouteKernel } from './kernel.js';
import type { NodeRoute, SkippedNode } from './node-routes.js';
import { type ReconcileResult, type RouteKernel, reconcileNodeRoutes } from './reconcile.js';

export const RESYNC_MS = 30_000;

export interface RoutingModuleOptions {
  /** This node's name (its own CiliumNode is never routed to). */
  node: string;
  informers(): Informers;
  /** --auto-direct-node-routes */
  enabled: boolean;
  log(msg: string): void;
  /** Defaults to iproute2 in this process's namespace. */
  kernel?: RouteKernel;
  resyncMs?: number;
}

export interface RoutingStatus {
  mode: 'native';
  autoDirectNodeRoutes: boolean;
  /** The first complete CiliumNode listing has been reconciled. */
  synced: boolean;
  routes: NodeRoute[];
  skipped: SkippedNode[];
  /** skipped.length, for a gauge. */
  skippedNodes: number;
  conflicts: string[];
  errors: string[];
}

export class RoutingModule implements AgentModule {
  readonly name = 'routing';
  readonly #o: RoutingModuleOptions;
  readonly #kernel: RouteKernel;
  #last: ReconcileResult = { routes: [], skipped: [], conflicts: [], errors: [] };
  #offs: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #synced = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  #dirty = false;

  constructor(o: RoutingModuleOptions) {
    this.#o = o;
    this.#kernel = o.kernel ?? new NodeRouteKernel();
  }

  /** Returns at once; the first listing (retried every second) and pass run in the background. */
  start(): void {
    if (!this.#o.enabled) {
      void this.#removeLeftovers();
      return;
    }
    const nodes = this.#o.informers().for('CiliumNode');
    this.#offs.push(nodes.subscribe(() => this.kick()));
    void this.#listThenSync();
  }

  async #listThenSync(): Promise<void> {
    const nodes = this.#o.informers().for('CiliumNode');
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        await nodes.start();
        break;
      } catch (err) {
        if (attempt === 1)
          this.#o.log(`routing: cannot list CiliumNodes yet (${errorMessage(err)}); retrying`);
        await new Promise((r) => {
          this.#retry = setTimeout(r, 1000);
        });
      }
    }
    if (this.#stopped) return;
    this.#synced = true;
    this.kick();
    this.#timer = setInterval(() => this.kick(), this.#o.resyncMs ?? RESYNC_MS);
    this.#timer.unref();
  }

  /** With the flag off nothing keeps routes of our protocol current: an earlier run's go. */
  async #removeLeftovers(): Promise<void> {
    try {
      const left = await this.#kernel.ourRoutes();
      for (const r of left) await this.#kernel.remove(r);
      if (left.length > 0)
        this.#o.log(`routing: auto-direct-node-routes off; removed ${left.length} node route(s)`);
    } catch (err) {
      this.#o.log(`routing: removing node routes: ${errorMessage(err)}`);
    }
  }

  /** Asks for a pass; passes never overlap, and events during one are served by one more. */
  kick(): void {
    if (!this.#synced || this.#stopped) return;
    this.#dirty = true;
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
      // A kick between the loop's last check and here found a pass still "running".
      if (this.#dirty) this.kick();
    });
  }

  /** Resolves when no pass is running or asked for (tests wait on this). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    // Bounded by the events that arrive: each pass clears the flag it serves.
    while (this.#dirty && !this.#stopped) {
      this.#dirty = false;
      const nodes = this.#o.informers().for('CiliumNode').list();
      try {
        this.#last = await reconcileNodeRoutes({ self: this.#o.node, nodes, kernel: this.#kernel });
      } catch (err) {
        this.#last = { ...this.#last, errors: [`listing routes: ${errorMessage(err)}`] };
      }
      for (const e of this.#last.errors) this.#o.log(`routing: ${e}`);
    }
  }

  stop(): Promise<void> | undefined {
    this.#stopped = true;
    for (const off of this.#offs) off();
    this.#offs = [];
    if (this.#timer) clearInterval(this.#timer);
    if (this.#retry) clearTimeout(this.#retry);
    return this.#running;
  }

  status(): RoutingStatus {
    return {
      mode: 'native',
      autoDirectNodeRoutes: this.#o.enabled,
      synced: this.#synced,
      routes: this.#last.routes,
      skipped: this.#last.skipped,
      skippedNodes: this.#last.skipped.length,
      conflicts: this.#last.conflicts,
      errors: this.#last.errors,
    };
  }
}

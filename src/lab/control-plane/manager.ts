// `waggle lab controller-manager`: the lab's stand-in for kube-controller-manager and
// kube-scheduler, one process on the lab's server host. It runs the Deployment, ReplicaSet,
// EndpointSlice, node IPAM and garbage-collection controllers and the scheduler over one set of
// informers, and stops promptly on SIGTERM (src/lib/shutdown.ts), whatever etcd is doing.
import { runUntilSignal, type ShutdownStep } from '../../lib/shutdown.js';
import { Informers } from '../../store/informer.js';
import { openStore, type Store } from '../../store/index.js';
import type { ControllerContext } from './context.js';
import { DeploymentController } from './deployment-controller.js';
import { EndpointSliceController } from './endpointslice-controller.js';
import { GarbageCollector } from './garbage-collector.js';
import { checkConfig } from './node-ipam-plan.js';
import { NodeIpamController } from './node-ipam.js';
import { ReplicaSetController } from './replicaset-controller.js';
import { Scheduler } from './scheduler.js';
import type { WorkQueue } from './work-queue.js';
import { settledWithin } from '../../lib/settled-within.js';

export interface ControllerManagerConfig {
  /** A store URL, or an open store (tests). */
  store: string | Store;
  clusterCidr: string;
  nodeCidrMaskSize: number;
  /** --node-cidr NODE=CIDR. */
  pinnedCidrs: Map<string, string>;
  /** --control-plane-node: tainted node-role.kubernetes.io/control-plane:NoSchedule on joining. */
  controlPlaneNodes: string[];
  resyncMs: number;
  now?: () => number;
}

export const DEFAULT_CLUSTER_CIDR = '10.200.0.0/22';

export class ControllerManager {
  readonly #cfg: ControllerManagerConfig;
  readonly #log: (line: string) => void;
  #store: Store | undefined;
  #ownsStore = false;
  #informers: Informers | undefined;
  queues: WorkQueue[] = [];

  constructor(cfg: ControllerManagerConfig, log: (line: string) => void) {
    checkConfig({ clusterCidr: cfg.clusterCidr, maskSize: cfg.nodeCidrMaskSize, pinned: cfg.pinnedCidrs });
    this.#cfg = cfg;
    this.#log = log;
  }

  async start(): Promise<void> {
    const cfg = this.#cfg;
    this.#ownsStore = typeof cfg.store === 'string';
    const store = typeof cfg.store === 'string' ? openStore(cfg.store) : cfg.store;
    this.#store = store;
    const informers = new Informers(store, { log: this.#log });
    this.#informers = informers;
    const c: ControllerContext = {
      store,
      informers,
      log: this.#log,
      resyncMs: cfg.resyncMs,
      now: cfg.now ?? Date.now,
    };
    this.queues = [
      new NodeIpamController(c, {
        clusterCidr: cfg.clusterCidr,
        maskSize: cfg.nodeCidrMaskSize,
        pinned: cfg.pinnedCidrs,
        controlPlaneNodes: new Set(cfg.controlPlaneNodes),
      }).queue,
      new DeploymentController(c).queue,
      new ReplicaSetController(c).queue,
      new Scheduler(c).queue,
      new EndpointSliceController(c).queue,
      new GarbageCollector(c).queue,
    ];
    // Every cache complete before any controller decides: a half-listed cache would make the
    // ReplicaSet controller create pods that exist and the garbage collector miss owners.
    await informers.start();
    for (const q of this.queues) q.start();
    this.#log(`controller-manager: running (store ${store.url}, cluster CIDR ${cfg.clusterCidr})`);
  }

  /** Resolves when no controller has work queued or running (tests). */
  async idle(): Promise<void> {
    for (let i = 0; i < 3; i++) await Promise.all(this.queues.map((q) => q.idle()));
  }

  stopSteps(): ShutdownStep[] {
    return [
      {
        name: 'controllers (write in flight)',
        run: () => settledWithin(Promise.all(this.queues.map((q) => q.stop())), 1000),
      },
      { name: 'informers', run: () => settledWithin(this.#informers?.stop() ?? Promise.resolve(), 1000) },
      { name: 'store close', run: async () => (this.#ownsStore ? this.#store?.close() : undefined) },
      { name: 'log', run: async () => this.#log('controller-manager: stopped') },
    ];
  }

  async stop(): Promise<void> {
    for (const s of this.stopSteps()) await s.run();
  }
}

export async function runControllerManager(
  cfg: ControllerManagerConfig,
  log: (line: string) => void,
): Promise<void> {
  const cm = new ControllerManager(cfg, log);
  await runUntilSignal({ name: 'controller-manager', start: () => cm.start(), steps: cm.stopSteps(), log });
}

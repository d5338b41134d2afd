// `waggle operator`: one per cluster. Composes the store and its informers, the LB-IPAM
// controller, cluster-pool IPAM (when --cluster-pool-ipv4-cidr is given), the ingress controller, the node lifecycle controller and the metrics endpoint, and shuts them down on
// SIGTERM/SIGINT within the process deadline of src/lib/shutdown.ts, whatever etcd is doing.
import type { Server } from 'node:http';
import { ClusterPool } from '../ipam/cluster-pool.js';
import { ClusterPoolController } from '../ipam/cluster-pool-controller.js';
import { DEFAULT_INGRESS_HTTP_PORT, DEFAULT_INGRESS_HTTPS_PORT, type LbMode } from '../api/index.js';
import { IngressController } from '../ingresscontroller/controller.js';
import { LbIpamController } from '../lbipam/controller.js';
import { runUntilSignal, type ShutdownStep } from '../lib/shutdown.js';
import { NodeLifecycleController } from '../nodelifecycle/controller.js';
import {
  DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
  DEFAULT_NODE_MONITOR_PERIOD_MS,
} from '../nodelifecycle/decide.js';
import { Informers, openStore, type Store } from '../store/index.js';
import { lbipamRegistry, serveMetrics } from './metrics.js';
import { settledWithin } from '../lib/settled-within.js';

export interface OperatorConfig {
  store: string;
  serviceCidr: string;
  /** --service-node-port-range; Kubernetes' 30000-32767 when omitted. */
  nodePortRange?: string;
  metricsAddr: string;
  resyncMs: number;
  /** --node-monitor-period / --node-monitor-grace-period; Kubernetes' defaults when omitted. */
  nodeMonitorPeriodMs?: number;
  nodeMonitorGracePeriodMs?: number;
  /** Cluster-pool IPAM (--cluster-pool-ipv4-cidr, -mask-size); off when no CIDR is given. */
  clusterPoolIpv4Cidrs?: string[];
  clusterPoolIpv4MaskSize?: number;
  /** --ingress-default-lb-mode (Cilium's ingressController.loadbalancerMode); dedicated when omitted. */
  ingressDefaultLbMode?: LbMode;
}

export class Operator {
  private store: Store | undefined;
  private informers: Informers | undefined;
  private controller: LbIpamController | undefined;
  private nodeLifecycle: NodeLifecycleController | undefined;
  private clusterPool: ClusterPoolController | undefined;
  private ingress: IngressController | undefined;
  private server: Server | undefined;
  metricsUrl = '';

  constructor(
    private readonly cfg: OperatorConfig,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    this.store = openStore(this.cfg.store);
    this.informers = new Informers(this.store, { log: this.log });
    this.controller = new LbIpamController({
      store: this.store,
      informers: this.informers,
      serviceCidr: this.cfg.serviceCidr,
      ...(this.cfg.nodePortRange ? { nodePortRange: this.cfg.nodePortRange } : {}),
      resyncMs: this.cfg.resyncMs,
      log: this.log,
    });
    const metrics = await serveMetrics(lbipamRegistry(this.controller.engine), this.cfg.metricsAddr);
    this.server = metrics.server;
    this.metricsUrl = metrics.url;
    await this.controller.start();
    const cidrs = this.cfg.clusterPoolIpv4Cidrs ?? [];
    if (cidrs.length > 0) {
      const pool = ClusterPool.create(cidrs, this.cfg.clusterPoolIpv4MaskSize);
      if (!pool.ok) throw new Error(pool.error);
      this.clusterPool = new ClusterPoolController({
        store: this.store,
        informers: this.informers,
        pool: pool.value,
        resyncMs: this.cfg.resyncMs,
        log: this.log,
      });
      await this.clusterPool.start();
    }
    this.ingress = new IngressController({
      store: this.store,
      informers: this.informers,
      defaultMode: this.cfg.ingressDefaultLbMode ?? 'dedicated',
      ports: { http: DEFAULT_INGRESS_HTTP_PORT, https: DEFAULT_INGRESS_HTTPS_PORT },
      log: this.log,
    });
    await this.ingress.start();
    this.nodeLifecycle = new NodeLifecycleController({
      store: this.store,
      monitorPeriodMs: this.cfg.nodeMonitorPeriodMs ?? DEFAULT_NODE_MONITOR_PERIOD_MS,
      gracePeriodMs: this.cfg.nodeMonitorGracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
      log: this.log,
    });
    this.nodeLifecycle.start();
    this.log(`operator: running (store ${this.store.url}, metrics ${this.metricsUrl})`);
  }

  /**
   * The shutdown in order. The controller gets DRAIN_MS to finish the write in hand (its writes
   * are level-triggered, so one cut short is redone by the next operator); then the store is
   * closed, which ends any call still waiting on an unreachable etcd, and so the controller.
   */
  stopSteps(): ShutdownStep[] {
    let drained: Promise<void> = Promise.resolve();
    return [
      { name: 'node lifecycle controller', run: async () => this.nodeLifecycle?.stop() },
      {
        name: 'ingress controller (write in flight)',
        run: () => settledWithin(this.ingress?.stop() ?? Promise.resolve(), DRAIN_MS),
      },
      {
        name: 'cluster-pool controller (write in flight)',
        run: () => settledWithin(this.clusterPool?.stop() ?? Promise.resolve(), DRAIN_MS),
      },
      {
        name: 'lbipam controller (write in flight)',
        run: async () => {
          drained = this.controller?.stop() ?? Promise.resolve();
          await settledWithin(drained, DRAIN_MS);
        },
      },
      { name: 'informers', run: () => settledWithin(this.informers?.stop() ?? Promise.resolve(), DRAIN_MS) },
      { name: 'store close', run: async () => this.store?.close() },
      { name: 'lbipam controller (after store close)', run: () => drained },
      {
        name: 'metrics server',
        run: () =>
          new Promise<void>((resolve) => {
            if (!this.server) return resolve();
            this.server.close(() => resolve());
            this.server.closeAllConnections(); // a scraper's keep-alive must not hold us
          }),
      },
      { name: 'log', run: async () => this.log('operator: stopped') },
    ];
  }

  async stop(): Promise<void> {
    for (const step of this.stopSteps()) await step.run();
  }
}

/** Bounded wait for the controller's write in hand before the store is closed under it. */
const DRAIN_MS = 1000;

/**
 * Runs until SIGTERM or SIGINT, then exits the process (src/lib/shutdown.ts: 0 after a clean
 * stop, 1 when the deadline cut it short, 128+n on a second signal). The handlers are in place
 * before start(), so a signal while etcd is still being reached is handled the same way.
 */
export async function runOperator(cfg: OperatorConfig, log: (line: string) => void): Promise<void> {
  const op = new Operator(cfg, log);
  await runUntilSignal({ name: 'operator', start: () => op.start(), steps: op.stopSteps(), log });
}

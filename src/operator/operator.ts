// `waggle operator`: one per cluster. Composes the store, the LB-IPAM controller, the node
// lifecycle controller and the metrics endpoint, and shuts them down in reverse order on
// SIGTERM/SIGINT.
import type { Server } from 'node:http';
import { LbIpamController } from '../lbipam/controller.js';
import { NodeLifecycleController } from '../nodelifecycle/controller.js';
import {
  DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
  DEFAULT_NODE_MONITOR_PERIOD_MS,
} from '../nodelifecycle/decide.js';
import { Informers, openStore, type Store } from '../store/index.js';
import { lbipamRegistry, serveMetrics } from './metrics.js';

export interface OperatorConfig {
  store: string;
  serviceCidr: string;
  metricsAddr: string;
  resyncMs: number;
  /** --node-monitor-period / --node-monitor-grace-period; Kubernetes' defaults when omitted. */
  nodeMonitorPeriodMs?: number;
  nodeMonitorGracePeriodMs?: number;
}

export class Operator {
  private store: Store | undefined;
  private informers: Informers | undefined;
  private controller: LbIpamController | undefined;
  private nodeLifecycle: NodeLifecycleController | undefined;
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
      resyncMs: this.cfg.resyncMs,
      log: this.log,
    });
    const metrics = await serveMetrics(lbipamRegistry(this.controller.engine), this.cfg.metricsAddr);
    this.server = metrics.server;
    this.metricsUrl = metrics.url;
    await this.controller.start();
    this.nodeLifecycle = new NodeLifecycleController({
      store: this.store,
      monitorPeriodMs: this.cfg.nodeMonitorPeriodMs ?? DEFAULT_NODE_MONITOR_PERIOD_MS,
      gracePeriodMs: this.cfg.nodeMonitorGracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
      log: this.log,
    });
    this.nodeLifecycle.start();
    this.log(`operator: running (store ${this.store.url}, metrics ${this.metricsUrl})`);
  }

  async stop(): Promise<void> {
    this.nodeLifecycle?.stop(); // synchronous: clears its timer, awaits nothing
    await this.controller?.stop();
    await this.informers?.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.store?.close();
    this.log('operator: stopped');
  }
}

/** Runs until SIGTERM or SIGINT, then stops cleanly. */
export async function runOperator(cfg: OperatorConfig, log: (line: string) => void): Promise<void> {
  const op = new Operator(cfg, log);
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log(`operator: ${sig}, shutting down`);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      op.stop().then(resolve, resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await op.start();
  await stopped;
}

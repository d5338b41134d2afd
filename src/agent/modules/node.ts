// The agent's own Node object: registered at start (labels from flags, addresses from the
// selected devices), left alone if it exists so labels set later by users survive restarts;
// then its Ready condition kept current by a heartbeat (node-heartbeat.ts), as a kubelet does.
import type { Store } from '../../store/types.js';
import type { AgentModule } from '../module.js';
import { NodeHeartbeat } from '../node-heartbeat.js';
import { registerNode } from '../node-registration.js';

export interface NodeModuleOptions {
  store(): Store;
  node: string;
  labels: Record<string, string>;
  addresses(): string[];
  /** --node-status-update-frequency */
  heartbeatMs: number;
  log(msg: string): void;
}

export class NodeModule implements AgentModule {
  readonly name = 'node';
  readonly #o: NodeModuleOptions;
  #heartbeat: NodeHeartbeat | undefined;

  constructor(opts: NodeModuleOptions) {
    this.#o = opts;
  }

  async start(): Promise<void> {
    const o = this.#o;
    o.log(`node ${o.node}: ${await registerNode(o.store(), o.node, o.labels, o.addresses())}`);
    this.#heartbeat = new NodeHeartbeat({
      store: o.store(),
      nodeName: o.node,
      intervalMs: o.heartbeatMs,
      now: Date.now,
      log: o.log,
    });
    this.#heartbeat.start();
  }

  /** Leaves the Ready condition as it is (the kubelet does too); never waits on the store. */
  stop(): void {
    this.#heartbeat?.stop();
  }
}

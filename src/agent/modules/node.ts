// The agent's own Node object: registered at start (labels from flags, addresses from the
// selected devices), left alone if it exists so labels set later by users survive restarts.
import type { Store } from '../../store/types.js';
import type { AgentModule } from '../module.js';
import { registerNode } from '../node-registration.js';

export interface NodeModuleOptions {
  store(): Store;
  node: string;
  labels: Record<string, string>;
  addresses(): string[];
  log(msg: string): void;
}

export class NodeModule implements AgentModule {
  readonly name = 'node';
  readonly #o: NodeModuleOptions;

  constructor(opts: NodeModuleOptions) {
    this.#o = opts;
  }

  async start(): Promise<void> {
    const o = this.#o;
    o.log(`node ${o.node}: ${await registerNode(o.store(), o.node, o.labels, o.addresses())}`);
  }

  stop(): void {}
}

// The agent's `ingress` module: Ingresses, IngressClasses, Services, EndpointSlices and Secrets
// from the informers → the proxy model → the node's HAProxy (proxy.ts). A change schedules one
// pass after a short coalescing delay, so a burst (a Deployment scaled up) is one reload. Nothing
// is rendered before every kind has been listed once: a half-listed world would route to nothing.
import { join } from 'node:path';
import type { AgentModule } from '../agent/module.js';
import { errorMessage } from '../lib/errors.js';
import type { Informers } from '../store/informer.js';
import { IngressProxy, type IngressProxyStatus } from './proxy.js';
import { proxyModel } from './routes.js';

const KINDS = ['Ingress', 'IngressClass', 'Service', 'EndpointSlice', 'Secret'] as const;
const COALESCE_MS = 100;

export interface IngressModuleOptions {
  enabled: boolean;
  stateDir: string;
  binary: string;
  httpPort: number;
  httpsPort: number;
  informers(): Informers;
  /** The node's IPv4 addresses; the proxy listens on them. */
  addresses(): string[];
  log(msg: string): void;
}

export type IngressStatus = ({ enabled: true; synced: boolean } & IngressProxyStatus) | { enabled: false };

export class IngressModule implements AgentModule {
  readonly name = 'ingress';
  #proxy: IngressProxy | undefined;
  #offs: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #synced = false;
  #stopped = false;
  #reported = '';

  constructor(private readonly o: IngressModuleOptions) {}

  async start(): Promise<void> {
    if (!this.o.enabled) return;
    const addresses = this.o.addresses();
    this.#proxy = new IngressProxy({
      dir: join(this.o.stateDir, 'ingress'),
      binary: this.o.binary,
      addresses: addresses.length > 0 ? addresses : ['*'],
      httpPort: this.o.httpPort,
      httpsPort: this.o.httpsPort,
      log: this.o.log,
    });
    const inf = this.o.informers();
    for (const k of KINDS) this.#offs.push(inf.for(k).subscribe(() => this.#schedule()));
    void Promise.all(KINDS.map((k) => inf.for(k).start())).then(
      () => {
        this.#synced = true;
        this.#schedule();
      },
      (err: unknown) => this.o.log(`ingress: listing failed: ${errorMessage(err)}`),
    );
  }

  #schedule(): void {
    if (!this.#synced || this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#chain = this.#chain
        .then(() => this.#pass())
        .catch((err: unknown) => this.o.log(`ingress: ${errorMessage(err)}`));
    }, COALESCE_MS);
  }

  async #pass(): Promise<void> {
    if (this.#stopped || !this.#proxy) return;
    const inf = this.o.informers();
    const model = proxyModel({
      ingresses: inf.for('Ingress').list(),
      classes: inf.for('IngressClass').list(),
      services: inf.for('Service').list(),
      slices: inf.for('EndpointSlice').list(),
      secrets: inf.for('Secret').list(),
    });
    // Logged when the set of refusals changes, not on every pass.
    const report = model.skipped.map((s) => `${s.ingress} not served: ${s.problems.join('; ')}`).join('\n');
    if (report !== this.#reported && report)
      for (const line of report.split('\n')) this.o.log(`ingress: ${line}`);
    this.#reported = report;
    await this.#proxy.apply(model);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const off of this.#offs) off();
    await this.#chain;
    await this.#proxy?.stop();
  }

  status(): IngressStatus {
    if (!this.#proxy) return { enabled: false };
    return { enabled: true, synced: this.#synced, ...this.#proxy.status() };
  }
}

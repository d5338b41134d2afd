// The store connection and the process's informers (one list+watch per kind). Features request
// the kinds they need from `informers` and start them; the agent therefore watches only those
// kinds — never, for instance, every other node's lease renewals.
import { Informers } from '../../store/informer.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import type { AgentModule } from '../module.js';

export class StoreModule implements AgentModule {
  readonly name = 'store';
  readonly #url: string;
  readonly #log: (msg: string) => void;
  #store: Store | undefined;
  #informers: Informers | undefined;

  constructor(url: string, log: (msg: string) => void) {
    this.#url = url;
    this.#log = log;
  }

  get store(): Store {
    if (!this.#store) throw new Error('store module not started');
    return this.#store;
  }

  get informers(): Informers {
    if (!this.#informers) throw new Error('store module not started');
    return this.#informers;
  }

  start(): void {
    this.#store = openStore(this.#url);
    this.#informers = new Informers(this.#store, { log: this.#log });
  }

  async stop(): Promise<void> {
    await this.#informers?.stop();
    await this.#store?.close();
  }

  status(): { url: string; watching: string[] } {
    return { url: this.#url, watching: this.#informers?.kinds() ?? [] };
  }

  /** Watch events received per kind (metrics: what the agent's watches cost it). */
  watchStats(): Array<{ kind: string; objects: number; events: number }> {
    return this.#informers?.stats() ?? [];
  }
}

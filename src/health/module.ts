// The agent's `health` module (Cilium's cilium-health): every intervalMs, one probe round over
// every CiliumNode (this one included), kept for `waggle status` and `waggle health status`.
// The CiliumNode informer is listed in the background, retried every second while the store is
// unreachable, so the agent's start never waits on it. Rounds never overlap: the next one is
// scheduled when the last has finished.
import type { AgentModule } from '../agent/module.js';
import { errorMessage } from '../lib/errors.js';
import type { Informers } from '../store/informer.js';
import { type HealthStatus, healthTargets, type NodeHealth, summarize } from './health-status.js';
import { probeCluster } from './prober.js';

export const DEFAULT_HEALTH_INTERVAL_MS = 5000;

export interface HealthModuleOptions {
  node: string;
  informers(): Informers;
  intervalMs?: number;
  log(msg: string): void;
}

export class HealthModule implements AgentModule {
  readonly name = 'health';
  readonly #o: HealthModuleOptions;
  readonly #intervalMs: number;
  #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #nodes: NodeHealth[] = [];
  #lastProbe: Date | null = null;
  #loop: Promise<void> | undefined;

  constructor(o: HealthModuleOptions) {
    this.#o = o;
    this.#intervalMs = o.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
  }

  start(): void {
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal);
  }

  /**
   * Clears the timer and aborts the round in flight without waiting for it: HTTP probes are
   * cancelled by the signal, a ping still running is killed by the exec helper's 2 s timeout,
   * and the aborted round's results are dropped.
   */
  stop(): void {
    this.#abort.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The background loop, for tests that wait for it to end after stop(). */
  get loop(): Promise<void> | undefined {
    return this.#loop;
  }

  status(): HealthStatus {
    return summarize(this.#o.node, this.#nodes, this.#lastProbe, this.#intervalMs);
  }

  async #run(signal: AbortSignal): Promise<void> {
    const informer = this.#o.informers().for('CiliumNode');
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await informer.start();
        break;
      } catch (err) {
        if (attempt === 1)
          this.#o.log(`health: cannot list CiliumNodes yet (${errorMessage(err)}); retrying`);
        await this.#sleep(1000, signal);
      }
    }
    while (!signal.aborted) {
      const targets = healthTargets(informer.list());
      const nodes = await probeCluster(targets, signal);
      if (signal.aborted) return;
      this.#nodes = nodes;
      this.#lastProbe = new Date();
      await this.#sleep(this.#intervalMs, signal);
    }
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(this.#timer);
        resolve();
      };
      this.#timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The agent API's `GET /v1/health`: the module's status as JSON. */
export function healthRoute(module: HealthModule): HealthStatus {
  return module.status();
}

// AgentLiveness for the datapath (liveness.ts). A quick restart — the datapath still trusts the
// pinned entries — keeps answering without a gap: the ticker resumes at once. Entries the
// datapath had already stopped trusting must not come back to life before this run knows which
// leases it holds (another node may have taken them meanwhile, and two nodes would answer for
// one IP), so then the ticker starts only when a feature says it may (resumeAfter).
import { LivenessTicker, type RuntimeConfigMap } from '../liveness.js';
import type { AgentModule } from '../module.js';

export interface LivenessModuleOptions {
  runtimeConfig(): RuntimeConfigMap;
  intervalMs: number;
  /** The datapath's max liveness (the lease duration). */
  maxLivenessMs: number;
  log(msg: string): void;
}

export class LivenessModule implements AgentModule {
  readonly name = 'liveness';
  readonly #o: LivenessModuleOptions;
  #ticker: LivenessTicker | undefined;
  #pending = false;
  #stopped = false;

  constructor(opts: LivenessModuleOptions) {
    this.#o = opts;
  }

  start(): void {
    this.#ticker = new LivenessTicker(this.#o.runtimeConfig(), this.#o.intervalMs);
    const inherited = this.#ticker.ageMs();
    if (inherited !== undefined && inherited <= this.#o.maxLivenessMs) {
      this.#ticker.start();
      return;
    }
    this.#pending = true;
    const state = inherited === undefined ? 'new' : `stale (liveness ${Math.round(inherited)}ms old)`;
    this.#o.log(`pinned responder state is ${state}: answering starts after the initial sync`);
  }

  /** Starts the ticker once `ready` settles, if it was held back at start. */
  resumeAfter(ready: Promise<void>): void {
    if (!this.#pending) return;
    void ready.then(() => {
      if (this.#stopped || !this.#pending) return;
      this.#pending = false;
      this.#ticker?.start();
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#ticker?.stop();
  }

  status(): { ageMs: number | null; intervalMs: number; maxMs: number } {
    const age = this.#ticker?.ageMs();
    return {
      ageMs: age === undefined ? null : age,
      intervalMs: this.#o.intervalMs,
      maxMs: this.#o.maxLivenessMs,
    };
  }
}

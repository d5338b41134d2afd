// The agent is a list of modules with one small lifecycle (in the spirit of Cilium's hive cells):
// start in order, stop in reverse. A module that fails to start stops everything that already
// started — with reason 'failed-start', so modules that leave state in place on a normal
// shutdown for a restarted agent to adopt (tc attachments) remove what this run created — and
// the error names the module.
import { errorMessage } from '../lib/errors.js';

export type StopReason = 'shutdown' | 'failed-start';

export interface AgentModule {
  readonly name: string;
  start(): Promise<void> | void;
  stop(reason: StopReason): Promise<void> | void;
  /** This module's part of `waggle status` (JSON). */
  status?(): unknown;
}

export class ModuleStartError extends Error {
  readonly module: string;
  constructor(module: string, cause: unknown) {
    super(`module ${module}: start: ${errorMessage(cause)}`, { cause });
    this.name = 'ModuleStartError';
    this.module = module;
  }
}

export type ModuleState = 'stopped' | 'starting' | 'running' | 'failed' | 'stopping';

/**
 * How long one module's stop may take before the next goes on. A stop that waits on an
 * unreachable store (releasing a lease) must not hold the others: the store module stops last
 * and cancels whatever is still in flight.
 */
export const MODULE_STOP_BUDGET_MS = 1000;

export class ModuleList {
  readonly modules: readonly AgentModule[];
  readonly #state = new Map<string, ModuleState>();
  readonly #log: (msg: string) => void;
  #started: AgentModule[] = [];

  constructor(modules: readonly AgentModule[], log: (msg: string) => void) {
    const names = new Set<string>();
    for (const m of modules) {
      if (names.has(m.name)) throw new Error(`module ${m.name}: listed twice`);
      names.add(m.name);
      this.#state.set(m.name, 'stopped');
    }
    this.modules = modules;
    this.#log = log;
  }

  state(name: string): ModuleState | undefined {
    return this.#state.get(name);
  }

  states(): Array<{ name: string; state: ModuleState }> {
    return this.modules.map((m) => ({ name: m.name, state: this.#state.get(m.name) ?? 'stopped' }));
  }

  async start(): Promise<void> {
    for (const m of this.modules) {
      this.#state.set(m.name, 'starting');
      try {
        await m.start();
      } catch (err) {
        this.#state.set(m.name, 'failed');
        // The failed module may have half-started: it is stopped too, first.
        await this.#stopOne(m, 'failed-start');
        this.#state.set(m.name, 'failed');
        await this.stop('failed-start');
        throw new ModuleStartError(m.name, err);
      }
      this.#state.set(m.name, 'running');
      this.#started.push(m);
    }
  }

  /** Stops every started module in reverse order; a failing stop is logged and the rest go on. */
  async stop(reason: StopReason = 'shutdown'): Promise<void> {
    const started = this.#started;
    this.#started = [];
    for (const m of started.reverse()) await this.#stopOne(m, reason);
  }

  async #stopOne(m: AgentModule, reason: StopReason): Promise<void> {
    this.#state.set(m.name, 'stopping');
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), MODULE_STOP_BUDGET_MS);
    });
    try {
      const done = Promise.resolve()
        .then(() => m.stop(reason))
        .then(() => 'done' as const);
      if ((await Promise.race([done, budget])) === 'late') {
        this.#log(`module ${m.name}: stop did not finish within ${MODULE_STOP_BUDGET_MS}ms; going on`);
        done.catch(() => {});
      }
    } catch (err) {
      this.#log(`module ${m.name}: stop: ${errorMessage(err)}`);
    } finally {
      clearTimeout(timer);
    }
    this.#state.set(m.name, 'stopped');
  }
}

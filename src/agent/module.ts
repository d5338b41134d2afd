// The agent is a list of modules with one small lifecycle (in the spirit of Cilium's hive cells):
// start in order, stop in reverse. A module that fails to start stops everything that already
// started — with reason 'failed-start', so modules that leave state in place on a normal
// shutdown for a restarted agent to adopt (tc attachments) remove what this run created — and
// the error names the module.
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
    super(`module ${module}: start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ModuleStartError';
    this.module = module;
  }
}

export type ModuleState = 'stopped' | 'starting' | 'running' | 'failed' | 'stopping';

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
    try {
      await m.stop(reason);
    } catch (err) {
      this.#log(`module ${m.name}: stop: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.#state.set(m.name, 'stopped');
  }
}

// The node lifecycle controller, the thin part: every monitor period it lists Nodes, asks
// decideNodeHealth about each and writes what it says through a compare-and-swap.
//
// It polls list instead of watching: the event that matters is time passing with *no* write (a
// dead agent sends nothing), so a timer is needed either way, and one range read of the Nodes
// per period (5 s, a handful of small objects) costs less than holding a watch open for it.
//
// It never fights the agent: a conflict means someone (normally the agent's heartbeat) wrote
// the Node meanwhile, so it re-reads and decides again on the fresh copy — a heartbeat that is
// fresh now wins and nothing is written.
import type { Node } from '../api/index.js';
import { ConflictError, NotFoundError } from '../store/index.js';
import type { Store } from '../store/types.js';
import { decideNodeHealth } from './decide.js';

export interface NodeLifecycleOptions {
  store: Store;
  /** --node-monitor-period (ms). */
  monitorPeriodMs: number;
  /** --node-monitor-grace-period (ms). */
  gracePeriodMs: number;
  now?: () => number;
  log: (line: string) => void;
}

/** Attempts per node per period when each write loses a compare-and-swap. */
const MAX_CONFLICT_RETRIES = 3;

export class NodeLifecycleController {
  readonly #o: NodeLifecycleOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #failing: string | undefined;
  /** Ready conditions this controller set to Unknown (tests and logs). */
  marked = 0;

  constructor(opts: NodeLifecycleOptions) {
    for (const [flag, ms] of [
      ['--node-monitor-period', opts.monitorPeriodMs],
      ['--node-monitor-grace-period', opts.gracePeriodMs],
    ] as const)
      if (!(ms > 0)) throw new Error(`node lifecycle: ${flag} ${ms}ms must be > 0`);
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** A first pass at once, then one per period (wait.Until's rhythm, as upstream). */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Prompt: clears the timer; a pass in flight finishes against the store on its own, unawaited. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs = this.#o.monitorPeriodMs): void {
    if (this.#stopped) return;
    // A timeout chained after each pass, not an interval: a slow store never stacks passes.
    this.#timer = setTimeout(() => void this.monitorOnce().finally(() => this.#schedule()), delayMs);
  }

  /** One pass over every Node. Never throws: failures are logged once per outage. */
  async monitorOnce(): Promise<void> {
    let nodes: Node[];
    try {
      nodes = (await this.#o.store.list({ kind: 'Node' })).items;
    } catch (err) {
      this.#report(`node lifecycle: listing Nodes failed (retrying every period): ${messageOf(err)}`);
      return;
    }
    if (this.#failing !== undefined && !this.#stopped) {
      this.#o.log('node lifecycle: store reachable again');
      this.#failing = undefined;
    }
    for (const node of nodes) {
      if (this.#stopped) return;
      await this.#check(node);
    }
  }

  async #check(listed: Node): Promise<void> {
    const name = listed.metadata.name;
    let node = listed;
    for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      const decision = decideNodeHealth(node, this.#now(), this.#o.gracePeriodMs);
      if (decision.action === 'keep') return;
      try {
        // The listed copy's resourceVersion makes this a compare-and-swap.
        await this.#o.store.updateStatus({
          ...node,
          status: { ...node.status, conditions: decision.conditions },
        });
        this.marked++;
        const age = (decision.heartbeatAgeMs / 1000).toFixed(1);
        const reason = decision.conditions.find((c) => c.type === 'Ready')?.reason;
        this.#o.log(`node lifecycle: node ${name} Ready → Unknown (${reason}; last heartbeat ${age}s ago)`);
        return;
      } catch (err) {
        if (err instanceof NotFoundError) return; // deleted meanwhile: nothing to mark
        if (!(err instanceof ConflictError)) {
          this.#report(`node lifecycle: updating node ${name} failed: ${messageOf(err)}`);
          return;
        }
      }
      // Conflict: re-read and decide again on the fresh copy.
      try {
        node = await this.#o.store.get('Node', name);
      } catch (err) {
        if (!(err instanceof NotFoundError))
          this.#report(`node lifecycle: reading node ${name}: ${messageOf(err)}`);
        return;
      }
    }
    this.#o.log(`node lifecycle: node ${name}: ${MAX_CONFLICT_RETRIES} conflicts in a row; next period`);
  }

  #report(line: string): void {
    if (this.#stopped || this.#failing !== undefined) return;
    this.#failing = line;
    this.#o.log(line);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

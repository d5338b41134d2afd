// The agent's node status heartbeat, the part of the kubelet's node status loop waggle needs: every
// interval (kubelet: --node-status-update-frequency, 10 s) it sets this agent's Node condition
// Ready=True and bumps its lastHeartbeatTime. The node lifecycle controller in the operator turns
// Ready to Unknown when the heartbeat goes stale, and this write turns it back to True.
//
// The wording mirrors the kubelet's (reason KubeletReady, "kubelet is posting ready status") with
// the component waggle actually runs on the node, so `get nodes -o yaml` reads the same way.
//
// Graceful stop leaves the condition as it is, as the kubelet does: a final write would have to
// wait on the store during shutdown, and a restart (upgrade) should not flap the node. The
// lifecycle controller marks it Unknown one grace period later if no agent comes back.
import { type Node, setNodeCondition } from '../api/index.js';
import { ConflictError, NotFoundError } from '../store/index.js';
import type { Store } from '../store/types.js';

export const AGENT_READY_REASON = 'AgentReady';
export const AGENT_READY_MESSAGE = 'waggle agent is posting ready status';
/** kubelet's nodeStatusUpdateRetry: attempts per tick when each one loses a compare-and-swap. */
export const MAX_CONFLICT_RETRIES = 5;

export interface NodeHeartbeatOptions {
  store: Store;
  nodeName: string;
  /** Time between posts (ms): --node-status-update-frequency. */
  intervalMs: number;
  /** Wall-clock ms for lastHeartbeatTime; injected so tests set exact times. */
  now: () => number;
  log: (line: string) => void;
}

export type TickResult = 'posted' | 'conflict' | 'not-found' | 'failed' | 'skipped';

/** The node's conditions after one heartbeat at `nowIso`: Ready=True, others untouched. */
export function readyConditions(node: Node, nowIso: string): NonNullable<Node['status']>['conditions'] {
  return setNodeCondition(
    node.status?.conditions,
    {
      type: 'Ready',
      status: 'True',
      reason: AGENT_READY_REASON,
      message: AGENT_READY_MESSAGE,
      lastHeartbeatTime: nowIso,
    },
    nowIso,
  );
}

export class NodeHeartbeat {
  readonly #o: NodeHeartbeatOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  /** The failure being reported, so an outage is logged once, not once per tick. */
  #failing: string | undefined;

  constructor(opts: NodeHeartbeatOptions) {
    if (!(opts.intervalMs > 0)) throw new Error(`node heartbeat: interval ${opts.intervalMs}ms must be > 0`);
    this.#o = opts;
  }

  /** Posts at once, then every interval. A tick still waiting on the store makes the next one skip. */
  start(): void {
    this.#stopped = false;
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), this.#o.intervalMs);
  }

  /** Clears the timer; an in-flight store call is abandoned (its result is ignored), never awaited. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One post: read, set Ready, compare-and-swap; on conflict re-read, at most MAX_CONFLICT_RETRIES. */
  async tick(): Promise<TickResult> {
    if (this.#running || this.#stopped) return 'skipped';
    this.#running = true;
    try {
      const result = await this.#post();
      if (this.#stopped) return result;
      if (result === 'posted' && this.#failing !== undefined) {
        this.#o.log(`node ${this.#o.nodeName}: posting ready status again`);
        this.#failing = undefined;
      }
      return result;
    } finally {
      this.#running = false;
    }
  }

  async #post(): Promise<TickResult> {
    const { store, nodeName } = this.#o;
    for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      if (this.#stopped) return 'skipped';
      try {
        const node = await store.get('Node', nodeName);
        if (this.#stopped) return 'skipped';
        const nowIso = new Date(this.#o.now()).toISOString();
        const status = { ...node.status, conditions: readyConditions(node, nowIso) };
        // node.metadata.resourceVersion is set (it came from the store): updateStatus is a CAS.
        await store.updateStatus({ ...node, status });
        return 'posted';
      } catch (err) {
        if (err instanceof ConflictError) continue;
        if (err instanceof NotFoundError) {
          this.#report('not-found', `node ${nodeName}: Node object not found; not posting status`);
          return 'not-found';
        }
        const msg = err instanceof Error ? err.message : String(err);
        this.#report(
          'failed',
          `node ${nodeName}: posting ready status failed (retrying every interval): ${msg}`,
        );
        return 'failed';
      }
    }
    this.#report(
      'conflict',
      `node ${nodeName}: ${MAX_CONFLICT_RETRIES} conflicts in a row; retrying next interval`,
    );
    return 'conflict';
  }

  #report(kind: string, line: string): void {
    if (this.#stopped || this.#failing === kind) return;
    this.#failing = kind;
    this.#o.log(line);
  }
}

// The scheduler: binds each pod without spec.nodeName to a node (scheduler-fit.ts decides) by
// setting spec.nodeName and the PodScheduled condition, as the API server's binding does; a pod
// no node fits gets PodScheduled=False, reason Unschedulable, with kube-scheduler's message, and
// is tried again whenever a Node changes (and at every resync).
import type { Pod, PodCondition } from '../../api/index.js';
import { rfc3339Seconds } from '../../api/index.js';
import type { NamespacedName } from '../../api/object-key.js';
import { ConflictError } from '../../store/index.js';
import type { Informer } from '../../store/informer.js';
import { type ControllerContext, keyOf, refresh } from './context.js';
import { isActive } from './pod-state.js';
import { schedule } from './scheduler-fit.js';
import { WorkQueue } from './work-queue.js';

export const SCHEDULER_NAME = 'default-scheduler';

const pending = (p: Pod) =>
  !p.spec.nodeName &&
  !p.metadata.deletionTimestamp &&
  (p.spec.schedulerName === undefined || p.spec.schedulerName === SCHEDULER_NAME);

/** The pod's conditions with `next` in place of the one of its type (the transition kept if same). */
export function withPodCondition(pod: Pod, next: PodCondition, nowMs: number): PodCondition[] {
  const list = pod.status?.conditions ?? [];
  const cur = list.find((c) => c.type === next.type);
  const time = cur && cur.status === next.status ? cur.lastTransitionTime : rfc3339Seconds(new Date(nowMs));
  const merged: PodCondition = {
    ...next,
    lastProbeTime: null,
    ...(time ? { lastTransitionTime: time } : {}),
  };
  return [...list.filter((c) => c.type !== next.type), merged];
}

export class Scheduler {
  readonly queue: WorkQueue;
  readonly #c: ControllerContext;
  readonly #pods: Informer<'Pod'>;
  readonly #nodes: Informer<'Node'>;
  readonly #reported = new Map<string, string>();

  constructor(c: ControllerContext) {
    this.#c = c;
    this.#pods = c.informers.for('Pod');
    this.#nodes = c.informers.for('Node');
    const unscheduled = () => this.#pods.list().filter(pending).map(keyOf);
    this.queue = new WorkQueue({
      name: 'scheduler',
      reconcile: (k) => this.#reconcile(k),
      keys: unscheduled,
      resyncMs: c.resyncMs,
      log: c.log,
    });
    this.#pods.subscribe((ev) => {
      if (ev.type === 'upsert' && pending(ev.object)) this.queue.add(keyOf(ev.object));
    });
    this.#nodes.subscribe((ev) => {
      if (ev.type !== 'sync') for (const k of unscheduled()) this.queue.add(k);
    });
  }

  async #reconcile(key: NamespacedName): Promise<void> {
    const pod = this.#pods.get(key);
    if (!pod || !pending(pod)) return;
    const load = new Map<string, number>();
    for (const p of this.#pods.list())
      if (p.spec.nodeName && isActive(p)) load.set(p.spec.nodeName, (load.get(p.spec.nodeName) ?? 0) + 1);
    const result = schedule(pod, this.#nodes.list(), load);
    const now = this.#c.now();
    const who = `${key.namespace}/${key.name}`;
    try {
      if (result.ok) {
        const bound = await this.#c.store.update({ ...pod, spec: { ...pod.spec, nodeName: result.node } });
        this.#pods.noteWrite(bound);
        const conditions = withPodCondition(bound, { type: 'PodScheduled', status: 'True' }, now);
        this.#pods.noteWrite(await this.#statusWithRetry(bound, conditions));
        this.#reported.delete(who);
        this.#c.log(`scheduler: ${who} → ${result.node}`);
        return;
      }
      const next = {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: result.message,
      } as const;
      const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
      if (cur?.status === 'False' && cur.message === result.message && pod.status?.phase) return;
      const status = {
        ...pod.status,
        phase: pod.status?.phase ?? 'Pending',
        conditions: withPodCondition(pod, next, now),
      };
      this.#pods.noteWrite(await this.#c.store.updateStatus({ ...pod, status }));
      if (this.#reported.get(who) !== result.message) this.#c.log(`scheduler: ${who}: ${result.message}`);
      this.#reported.set(who, result.message);
    } catch (err) {
      if (err instanceof ConflictError) await refresh(this.#c.store, this.#pods, key);
      throw err;
    }
  }

  /** PodScheduled=True after the bind; the kubelet may have written status in between. */
  async #statusWithRetry(pod: Pod, conditions: PodCondition[]): Promise<Pod> {
    let cur = pod;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#c.store.updateStatus({ ...cur, status: { ...cur.status, conditions } });
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
        cur = await this.#c.store.get('Pod', pod.metadata.name, pod.metadata.namespace);
        conditions = withPodCondition(cur, { type: 'PodScheduled', status: 'True' }, this.#c.now());
      }
    }
  }
}

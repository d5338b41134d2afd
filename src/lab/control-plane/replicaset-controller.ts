// The ReplicaSet controller: keeps spec.replicas active pods per ReplicaSet (creating
// `<rs>-<5 chars>` pods from the template, deleting the most deletable extra ones gracefully)
// and writes its status. Level-triggered over the ReplicaSet and Pod informers.
import type { Pod, ReplicaSet } from '../../api/index.js';
import { namespacedName, type NamespacedName } from '../../api/object-key.js';
import { requestPodDeletion } from '../../store/graceful-delete.js';
import { AlreadyExistsError, ConflictError } from '../../store/index.js';
import type { Informer } from '../../store/informer.js';
import { type ControllerContext, keyOf, nsOf, refresh, Tombstones } from './context.js';
import { generatedName } from './names.js';
import { controllerOf, isControlledBy } from './owners.js';
import { planReplicaSet, podFromTemplate, sameStatus } from './replicaset-plan.js';
import { WorkQueue } from './work-queue.js';

export class ReplicaSetController {
  readonly queue: WorkQueue;
  readonly #c: ControllerContext;
  readonly #rs: Informer<'ReplicaSet'>;
  readonly #pods: Informer<'Pod'>;
  readonly #gone: Tombstones<'Pod'>;

  constructor(c: ControllerContext) {
    this.#c = c;
    this.#rs = c.informers.for('ReplicaSet');
    this.#pods = c.informers.for('Pod');
    this.#gone = new Tombstones(this.#pods);
    this.queue = new WorkQueue({
      name: 'replicaset',
      reconcile: (k) => this.#reconcile(k),
      keys: () => this.#rs.list().map(keyOf),
      resyncMs: c.resyncMs,
      log: c.log,
    });
    this.#rs.subscribe((ev) => {
      if (ev.type !== 'sync') this.queue.add(keyOf(ev.object));
    });
    this.#pods.subscribe((ev) => {
      if (ev.type === 'sync') return;
      for (const p of ev.type === 'upsert' && ev.old ? [ev.object, ev.old] : [ev.object]) {
        const ref = controllerOf(p);
        if (ref?.kind === 'ReplicaSet') this.queue.add(namespacedName(nsOf(p), ref.name));
      }
    });
  }

  async #reconcile(key: NamespacedName): Promise<void> {
    const rs = this.#rs.get(key);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const pods = this.#pods
      .list()
      .filter((p) => nsOf(p) === key.namespace && isControlledBy(p, rs) && this.#gone.live(p));
    const now = this.#c.now();
    const plan = planReplicaSet(rs, pods, now);
    for (let i = 0; i < plan.create; i++) await this.#createPod(rs);
    for (const pod of plan.delete) await this.#deletePod(pod);
    if (plan.create > 0 || plan.delete.length > 0) {
      this.#c.log(
        `replicaset: ${key.namespace}/${key.name}: ${plan.create > 0 ? `created ${plan.create}` : `deleted ${plan.delete.map((p) => p.metadata.name).join(', ')}`} (want ${rs.spec.replicas})`,
      );
      return; // the pods' events bring this ReplicaSet back; the status is written then
    }
    if (plan.recheckMs !== undefined) this.queue.addAfter(key, plan.recheckMs + 50);
    if (sameStatus(rs.status, plan.status)) return;
    try {
      this.#rs.noteWrite(await this.#c.store.updateStatus({ ...rs, status: plan.status }));
    } catch (err) {
      if (err instanceof ConflictError) await refresh(this.#c.store, this.#rs, key);
      throw err;
    }
  }

  async #createPod(rs: ReplicaSet): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const pod = await this.#c.store.create(podFromTemplate(rs, generatedName(rs.metadata.name)));
        this.#pods.noteWrite(pod);
        return;
      } catch (err) {
        // A random name already taken: draw another, as the API server's generateName retries.
        if (!(err instanceof AlreadyExistsError) || attempt >= 5) throw err;
      }
    }
  }

  async #deletePod(pod: Pod): Promise<void> {
    const r = await requestPodDeletion(this.#c.store, pod, undefined, {
      ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}),
    });
    if (r.action === 'deleted') this.#gone.add(r.pod);
    else if (r.action === 'terminating') this.#pods.noteWrite(r.pod);
  }
}

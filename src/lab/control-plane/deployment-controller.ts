// The Deployment controller: for each Deployment, the ReplicaSet of its current template and the
// rollout from the old ones to it (deployment-plan.ts decides; this applies one step per pass),
// the revision annotation and the status. Level-triggered over the Deployment, ReplicaSet and
// Pod informers: a ReplicaSet's event brings back its Deployment, and so does a pod's deletion
// (Recreate waits for the old pods to be gone).
import type { Deployment, ReplicaSet } from '../../api/index.js';
import { namespacedName, type NamespacedName } from '../../api/object-key.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../store/index.js';
import type { Informer } from '../../store/informer.js';
import { canonicalJson } from '../../store/prepare.js';
import { type ControllerContext, keyOf, nsOf, refresh, Tombstones } from './context.js';
import {
  type DeploymentStep,
  findNewReplicaSet,
  planDeployment,
  REVISION_ANNOTATION,
} from './deployment-plan.js';
import { controllerOf, isControlledBy } from './owners.js';
import { WorkQueue } from './work-queue.js';

export class DeploymentController {
  readonly queue: WorkQueue;
  readonly #c: ControllerContext;
  readonly #deploys: Informer<'Deployment'>;
  readonly #rs: Informer<'ReplicaSet'>;
  readonly #pods: Informer<'Pod'>;
  readonly #gone: Tombstones<'ReplicaSet'>;

  constructor(c: ControllerContext) {
    this.#c = c;
    this.#deploys = c.informers.for('Deployment');
    this.#rs = c.informers.for('ReplicaSet');
    this.#pods = c.informers.for('Pod');
    this.#gone = new Tombstones(this.#rs);
    this.queue = new WorkQueue({
      name: 'deployment',
      reconcile: (k) => this.#reconcile(k),
      keys: () => this.#deploys.list().map(keyOf),
      resyncMs: c.resyncMs,
      log: c.log,
    });
    const ownerOf = (rs: ReplicaSet) => {
      const ref = controllerOf(rs);
      if (ref?.kind === 'Deployment') this.queue.add(namespacedName(nsOf(rs), ref.name));
    };
    this.#deploys.subscribe((ev) => {
      if (ev.type !== 'sync') this.queue.add(keyOf(ev.object));
    });
    this.#rs.subscribe((ev) => {
      if (ev.type !== 'sync') ownerOf(ev.object);
    });
    this.#pods.subscribe((ev) => {
      if (ev.type !== 'delete') return;
      const ref = controllerOf(ev.object);
      const rs =
        ref?.kind === 'ReplicaSet' ? this.#rs.get(namespacedName(nsOf(ev.object), ref.name)) : undefined;
      if (rs) ownerOf(rs);
    });
  }

  async #reconcile(key: NamespacedName): Promise<void> {
    const d = this.#deploys.get(key);
    if (!d) return;
    const replicaSets = this.#rs
      .list()
      .filter((rs) => nsOf(rs) === key.namespace && isControlledBy(rs, d) && this.#gone.live(rs));
    const current = findNewReplicaSet(d, replicaSets);
    const old = replicaSets.filter((rs) => rs !== current);
    const oldPods = this.#pods.list().filter((p) => old.some((rs) => isControlledBy(p, rs))).length;
    const plan = planDeployment({ deployment: d, replicaSets, oldPods, nowMs: this.#c.now() });
    for (const step of plan.steps) await this.#apply(d, step);
    let stored = d;
    if (d.metadata.annotations?.[REVISION_ANNOTATION] !== plan.revision) {
      const annotations = { ...d.metadata.annotations, [REVISION_ANNOTATION]: plan.revision };
      stored = await this.#write(key, () =>
        this.#c.store.update({ ...d, metadata: { ...d.metadata, annotations } }),
      );
    }
    if (canonicalJson(stored.status ?? {}) !== canonicalJson(plan.status))
      await this.#write(key, () => this.#c.store.updateStatus({ ...stored, status: plan.status }));
  }

  async #write(key: NamespacedName, fn: () => Promise<Deployment>): Promise<Deployment> {
    try {
      const written = await fn();
      this.#deploys.noteWrite(written);
      return written;
    } catch (err) {
      if (err instanceof ConflictError) await refresh(this.#c.store, this.#deploys, key);
      throw err;
    }
  }

  async #apply(d: Deployment, step: DeploymentStep): Promise<void> {
    const rs = step.replicaSet;
    const what = `deployment: ${nsOf(d)}/${d.metadata.name}`;
    try {
      if (step.kind === 'create') {
        this.#rs.noteWrite(await this.#c.store.create(rs));
        this.#c.log(`${what}: created ReplicaSet ${rs.metadata.name} (${rs.spec.replicas} replicas)`);
      } else if (step.kind === 'scale') {
        const annotations = step.revision
          ? { ...rs.metadata.annotations, [REVISION_ANNOTATION]: step.revision }
          : rs.metadata.annotations;
        const next = {
          ...rs,
          metadata: { ...rs.metadata, ...(annotations ? { annotations } : {}) },
          spec: { ...rs.spec, replicas: step.replicas },
        };
        this.#rs.noteWrite(await this.#c.store.update(next));
        if (step.replicas !== rs.spec.replicas)
          this.#c.log(
            `${what}: scaled ReplicaSet ${rs.metadata.name} ${rs.spec.replicas} → ${step.replicas}`,
          );
      } else {
        const rv = rs.metadata.resourceVersion;
        await this.#c.store.delete(
          'ReplicaSet',
          rs.metadata.name,
          nsOf(rs),
          rv ? { resourceVersion: rv } : {},
        );
        this.#gone.add(rs);
        this.#c.log(`${what}: deleted old ReplicaSet ${rs.metadata.name} (revisionHistoryLimit)`);
      }
    } catch (err) {
      if (step.kind === 'create' && err instanceof AlreadyExistsError) {
        // Ours from a pass whose watch event is still on its way, or a name collision.
        const found = await this.#c.store.tryGet('ReplicaSet', rs.metadata.name, nsOf(rs));
        if (found && isControlledBy(found, d)) return this.#rs.noteWrite(found);
        throw new Error(`ReplicaSet ${rs.metadata.name} exists and is not controlled by this Deployment`);
      }
      if (err instanceof NotFoundError) this.#gone.add(rs);
      if (err instanceof ConflictError) await refresh(this.#c.store, this.#rs, keyOf(rs));
      throw err;
    }
  }
}

// One pod on this node, from sandbox to teardown. sync() is level-triggered and idempotent: it
// is called on every informer change and every tick, and does whatever the pod's record and spec
// say is missing — the sandbox and network (CNI ADD), each container, its readiness probe, the
// status write. terminate() is the graceful stop: preStop hooks, the image's stop signal, the
// grace period, SIGKILL, CNI DEL, the namespaces and cgroup removed.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Pod } from '../../api/index.js';
import { NotFoundError, type Store } from '../../store/index.js';
import { podCgroup } from './cgroup.js';
import { type CniTarget, cniAdd, cniDel, resultIPs } from './cni.js';
import { isAlive, signal } from './container.js';
import { type ContainerEnv, maybeStart, newContainerRecord, noticeExit } from './container-sync.js';
import { ProbeTracker } from './probe.js';
import { runProbe } from './probe-run.js';
import { containerDir, type PodRecord, podDir, saveRecord } from './record.js';
import { createSandbox, removeSandbox, type SandboxPaths, sandboxPaths } from './sandbox.js';
import { buildPodStatus, statusKey } from './status.js';
import { describeHook, MIN_SIGNAL_GRACE_S, runPreStop, stopSignalOf } from './stop.js';

export interface WorkerEnv extends ContainerEnv {
  node: string;
  nodeCgroup: string;
  cni: CniTarget;
  store: Store;
  hostIP: () => string | undefined;
}

const SANDBOX_RETRY_MS = 2000;

export class PodWorker {
  rec: PodRecord | undefined;
  #env: WorkerEnv;
  #probes = new Map<string, ProbeTracker>();
  #sandboxError: string | undefined;
  #sandboxRetryAt = 0;
  #written = '';
  #busy = false;
  #again = false;

  constructor(env: WorkerEnv, adopted?: PodRecord) {
    this.#env = env;
    this.rec = adopted;
  }

  #paths(uid: string): SandboxPaths {
    return sandboxPaths(podDir(this.#env.nodeRoot, uid), podCgroup(this.#env.nodeCgroup, uid));
  }

  /** Runs sync; overlapping calls collapse into one more pass after the current one. */
  async sync(pod: Pod): Promise<void> {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    try {
      do {
        this.#again = false;
        await this.#sync(pod);
      } while (this.#again);
    } finally {
      this.#busy = false;
    }
  }

  async #sync(pod: Pod): Promise<void> {
    const now = Date.now();
    if (!this.rec && now >= this.#sandboxRetryAt) await this.#createSandbox(pod);
    const rec = this.rec;
    let changed = false;
    if (rec) {
      for (const c of pod.spec.containers) {
        rec.containers[c.name] ??= newContainerRecord(c);
        const cr = rec.containers[c.name];
        if (!cr) continue;
        if (noticeExit(pod, cr, containerDir(this.#env.nodeRoot, rec.uid, c.name), this.#env, now)) {
          this.#probes.delete(c.name);
          changed = true;
        }
        if (await maybeStart(c, rec, this.#env, now)) changed = true;
      }
      if (changed) saveRecord(this.#env.nodeRoot, rec);
    }
    await this.#writeStatus(pod, this.#readiness(pod, now));
  }

  /** Readiness per container; starts the probes that are due (results land on a later sync). */
  #readiness(pod: Pod, now: number): Record<string, boolean> {
    const rec = this.rec;
    const ready: Record<string, boolean> = {};
    if (!rec) return ready;
    for (const c of pod.spec.containers) {
      const cr = rec.containers[c.name];
      const running = cr?.pid !== undefined && !cr.terminated && isAlive(cr.pid, cr.pidStart);
      if (!running || !cr?.startedAt) {
        ready[c.name] = false;
        continue;
      }
      const probe = c.readinessProbe;
      if (!probe) {
        ready[c.name] = true;
        continue;
      }
      let t = this.#probes.get(c.name);
      if (!t) {
        t = new ProbeTracker(probe, Date.parse(cr.startedAt));
        this.#probes.set(c.name, t);
      }
      if (t.due(now)) {
        t.begin(now);
        const tracker = t;
        void runProbe(c, probe, this.#paths(rec.uid), rec.podIPs[0] ?? '127.0.0.1').then((ok) => {
          if (tracker.record(ok)) void this.sync(pod);
        });
      }
      ready[c.name] = t.ready;
    }
    return ready;
  }

  async #createSandbox(pod: Pod): Promise<void> {
    const { name, namespace = 'default', uid = '' } = pod.metadata;
    const paths = this.#paths(uid);
    const sandboxId = createHash('sha256').update(`waggle-lab/${uid}`).digest('hex');
    const net = { sandboxId, netns: paths.netns, namespace, name, uid };
    try {
      createSandbox(paths, pod.spec.hostname ?? name);
      const result = await cniAdd(this.#env.cni, net);
      const rec: PodRecord = {
        uid,
        namespace,
        name,
        node: this.#env.node,
        sandboxId,
        netns: paths.netns,
        uts: paths.uts,
        cgroup: paths.cgroup,
        podIPs: resultIPs(result),
        cniResult: result,
        startTime: new Date().toISOString(),
        containers: {},
      };
      saveRecord(this.#env.nodeRoot, rec);
      this.rec = rec;
      this.#sandboxError = undefined;
      this.#env.log(`pod ${namespace}/${name}: sandbox ready, IP ${rec.podIPs.join(', ')}`);
    } catch (err) {
      this.#sandboxError = `pod ${namespace}/${name}: sandbox: ${(err as Error).message}`;
      this.#sandboxRetryAt = Date.now() + SANDBOX_RETRY_MS;
      this.#env.log(this.#sandboxError);
      await cniDel(this.#env.cni, net, undefined).catch(() => {});
      await removeSandbox(paths).catch(() => {});
    }
  }

  async #writeStatus(pod: Pod, ready: Record<string, boolean>): Promise<void> {
    if (pod.metadata.deletionTimestamp) return;
    const status = buildPodStatus({
      pod,
      rec: this.rec,
      ready,
      hostIP: this.#env.hostIP(),
      now: new Date().toISOString(),
      ...(this.#sandboxError ? { sandboxError: this.#sandboxError } : {}),
    });
    const key = statusKey(status);
    if (key === this.#written && key === statusKey(pod.status)) return;
    // Status is the kubelet's alone: written without a resourceVersion, so a newer spec or
    // label change elsewhere never makes it fail with a conflict.
    const { resourceVersion: _rv, ...metadata } = pod.metadata;
    try {
      await this.#env.store.updateStatus({ ...pod, metadata, status });
      this.#written = key;
    } catch (err) {
      if (!(err instanceof NotFoundError))
        this.#env.log(`pod ${pod.metadata.name}: status: ${(err as Error).message}`);
    }
  }

  /** Stops every container (stop.ts: preStop, the image's stop signal, grace, SIGKILL), detaches
   * the network, removes the sandbox. `pod` gives the hooks; without it none run. */
  async terminate(graceSeconds: number, pod?: Pod): Promise<void> {
    const rec = this.rec;
    if (!rec) return;
    const start = Date.now();
    const live = Object.values(rec.containers).filter((c) => isAlive(c.pid, c.pidStart));
    const paths = this.#paths(rec.uid);
    const who = `pod ${rec.namespace}/${rec.name}`;
    // Hooks of all containers run at once, as the kubelet kills containers in parallel.
    await Promise.all(
      live.map(async (c) => {
        const spec = pod?.spec.containers.find((s) => s.name === c.name);
        const hook = spec?.lifecycle?.preStop;
        if (spec && hook && graceSeconds > 0) {
          const outcome = await runPreStop(spec, hook, paths, rec.podIPs[0] ?? '', graceSeconds * 1000);
          this.#env.log(`${who}: container ${c.name}: preStop ${describeHook(hook)}: ${outcome}`);
        }
        const sig = stopSignalOf(c.image);
        signal(c.pid, c.pidStart, sig);
        this.#env.log(`${who}: container ${c.name}: ${sig}`);
      }),
    );
    const left = graceSeconds * 1000 - (Date.now() - start);
    const deadline = Date.now() + (graceSeconds > 0 ? Math.max(left, MIN_SIGNAL_GRACE_S * 1000) : 0);
    while (Date.now() < deadline && live.some((c) => isAlive(c.pid, c.pidStart)))
      await new Promise((r) => setTimeout(r, 100));
    for (const c of live) signal(c.pid, c.pidStart, 'SIGKILL');
    try {
      await cniDel(this.#env.cni, { ...rec, netns: rec.netns }, rec.cniResult);
    } catch (err) {
      this.#env.log(`pod ${rec.namespace}/${rec.name}: ${(err as Error).message}`);
    }
    await removeSandbox(paths);
    rmSync(podDir(this.#env.nodeRoot, rec.uid), { recursive: true, force: true });
    this.#env.log(
      `pod ${rec.namespace}/${rec.name}: stopped and removed (${live.length} containers signalled)`,
    );
    this.rec = undefined;
  }
}

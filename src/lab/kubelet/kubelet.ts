// The lab's kubelet for one node: watches Pods (one informer), runs a PodWorker for each pod
// bound to this node, and on start adopts the pods its records describe instead of recreating
// them. Like a real kubelet it leaves running pods alone when it exits: containers belong to
// their shims and cgroups, not to this process.
//   deletionTimestamp set  → graceful stop, then the Pod is deleted from the store for good;
//   Pod gone from the store → the same stop (grace from the last spec seen), no store write;
//   a record with no Pod after the first list → an orphan from before a restart: stopped too.
import { fileURLToPath } from 'node:url';
import type { Pod } from '../../api/index.js';
import { Informer, NotFoundError, type Store } from '../../store/index.js';
import { type BackoffPolicy, KUBELET_BACKOFF } from './backoff.js';
import type { CniTarget } from './cni.js';
import { ensureSharedMount } from './mounts.js';
import { PodWorker } from './pod-worker.js';
import { loadRecords } from './record.js';

export interface KubeletOptions {
  node: string;
  store: Store;
  /** The kubelet root base (shared mount); this node's files are under <rootBase>/<node>. */
  rootBase: string;
  nodeCgroup: string;
  cni: CniTarget;
  nodeIP?: string;
  backoff?: Partial<BackoffPolicy>;
  tickMs?: number;
  log: (line: string) => void;
}

const WHOAMI = fileURLToPath(new URL('./images/whoami.js', import.meta.url));

export class Kubelet {
  readonly #o: KubeletOptions;
  readonly #workers = new Map<string, { worker: PodWorker; pod: Pod | undefined; stopping: boolean }>();
  readonly #informer: Informer<'Pod'>;
  #timer: NodeJS.Timeout | undefined;
  #hostIP: string | undefined;
  #lastNodeRead = 0;
  readonly nodeRoot: string;

  constructor(o: KubeletOptions) {
    this.#o = o;
    this.nodeRoot = `${o.rootBase}/${o.node}`;
    this.#informer = new Informer(o.store, 'Pod', { log: o.log });
    this.#hostIP = o.nodeIP;
  }

  #env(): ConstructorParameters<typeof PodWorker>[0] {
    const o = this.#o;
    return {
      node: o.node,
      nodeRoot: this.nodeRoot,
      nodeCgroup: o.nodeCgroup,
      cni: o.cni,
      store: o.store,
      nodePath: process.execPath,
      whoamiPath: WHOAMI,
      backoff: { ...KUBELET_BACKOFF, ...o.backoff },
      log: o.log,
      hostIP: () => this.#hostIP,
    };
  }

  async start(): Promise<void> {
    ensureSharedMount(this.#o.rootBase);
    const env = this.#env();
    for (const rec of loadRecords(this.nodeRoot)) {
      this.#workers.set(rec.uid, { worker: new PodWorker(env, rec), pod: undefined, stopping: false });
      this.#o.log(`adopted pod ${rec.namespace}/${rec.name} (uid ${rec.uid}, IP ${rec.podIPs.join(', ')})`);
    }
    await this.#informer.start();
    this.#informer.subscribe(() => void this.#tick());
    await this.#tick();
    this.#timer = setInterval(() => void this.#tick(), this.#o.tickMs ?? 500);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#informer.stop();
  }

  async #readNodeIP(): Promise<void> {
    if (Date.now() - this.#lastNodeRead < 5000) return;
    this.#lastNodeRead = Date.now();
    const node = await this.#o.store.tryGet('Node', this.#o.node).catch(() => undefined);
    const ip = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip) this.#hostIP = ip;
  }

  async #tick(): Promise<void> {
    await this.#readNodeIP();
    const mine = this.#informer.list().filter((p) => p.spec.nodeName === this.#o.node);
    const seen = new Set<string>();
    for (const pod of mine) {
      const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
      seen.add(uid);
      let w = this.#workers.get(uid);
      if (!w) {
        w = { worker: new PodWorker(this.#env()), pod, stopping: false };
        this.#workers.set(uid, w);
      }
      w.pod = pod;
      if (pod.metadata.deletionTimestamp) void this.#stop(uid, pod, true);
      else if (!w.stopping) void w.worker.sync(pod);
    }
    if (!this.#informer.synced) return;
    for (const [uid, w] of this.#workers) if (!seen.has(uid)) void this.#stop(uid, w.pod, false);
  }

  async #stop(uid: string, pod: Pod | undefined, deleteFromStore: boolean): Promise<void> {
    const w = this.#workers.get(uid);
    if (!w || w.stopping) return;
    w.stopping = true;
    const grace = pod
      ? (pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds)
      : 0;
    try {
      await w.worker.terminate(grace, pod);
      if (deleteFromStore && pod) {
        await this.#o.store.delete('Pod', pod.metadata.name, pod.metadata.namespace).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
        this.#o.log(
          `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}: deleted from the store`,
        );
      }
      this.#workers.delete(uid);
    } catch (err) {
      this.#o.log(`pod uid ${uid}: stop: ${(err as Error).message}`);
      w.stopping = false; // tried again on the next tick
    }
  }
}

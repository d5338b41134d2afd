// The node IPAM controller: a Node without spec.podCIDRs gets its block (node-ipam-plan.ts) in
// spec.podCIDR and spec.podCIDRs, where `--ipam kubernetes` agents read it. In the same first
// write a control-plane node (--control-plane-node) gets node-role.kubernetes.io/control-plane:
// NoSchedule, the taint kubeadm's mark-control-plane phase sets once when the node joins; it is
// not put back if someone removes it later (`kubectl taint nodes server …-` is how a lab lets
// pods run on its control plane). The agent's registration creates the Node and never rewrites
// its spec, so neither undoes the other.
import type { Node } from '../../api/index.js';
import type { NamespacedName } from '../../api/object-key.js';
import { ConflictError } from '../../store/index.js';
import type { Informer } from '../../store/informer.js';
import { type ControllerContext, keyOf, refresh } from './context.js';
import { cidrFor, type NodeIpamConfig, podCidrOf } from './node-ipam-plan.js';
import { WorkQueue } from './work-queue.js';

export const CONTROL_PLANE_TAINT = {
  key: 'node-role.kubernetes.io/control-plane',
  effect: 'NoSchedule',
} as const;

export interface NodeIpamOptions extends NodeIpamConfig {
  controlPlaneNodes: ReadonlySet<string>;
}

export class NodeIpamController {
  readonly queue: WorkQueue;
  readonly #c: ControllerContext;
  readonly #o: NodeIpamOptions;
  readonly #nodes: Informer<'Node'>;
  readonly #reported = new Map<string, string>();

  constructor(c: ControllerContext, o: NodeIpamOptions) {
    this.#c = c;
    this.#o = o;
    this.#nodes = c.informers.for('Node');
    this.queue = new WorkQueue({
      name: 'node-ipam',
      reconcile: (k) => this.#reconcile(k),
      keys: () =>
        this.#nodes
          .list()
          .filter((n) => !podCidrOf(n))
          .map(keyOf),
      resyncMs: c.resyncMs,
      log: c.log,
    });
    this.#nodes.subscribe((ev) => {
      if (ev.type === 'upsert' && !podCidrOf(ev.object)) this.queue.add(keyOf(ev.object));
      // A deleted node's block is free again: nodes waiting for one may get it now.
      if (ev.type === 'delete') this.queue.resyncAll();
    });
  }

  async #reconcile(key: NamespacedName): Promise<void> {
    const node = this.#nodes.get(key);
    if (!node || podCidrOf(node)) return;
    const r = cidrFor(key.name, this.#nodes.list(), this.#o);
    if (!r.ok) {
      if (this.#reported.get(key.name) !== r.error) this.#c.log(`node-ipam: ${r.error}`);
      this.#reported.set(key.name, r.error);
      return;
    }
    const taints = [...(node.spec.taints ?? [])];
    const controlPlane = this.#o.controlPlaneNodes.has(key.name);
    if (controlPlane && !taints.some((t) => t.key === CONTROL_PLANE_TAINT.key))
      taints.push({ ...CONTROL_PLANE_TAINT });
    const spec: Node['spec'] = {
      ...node.spec,
      podCIDR: r.cidr,
      podCIDRs: [r.cidr],
      ...(taints.length ? { taints } : {}),
    };
    try {
      this.#nodes.noteWrite(await this.#c.store.update({ ...node, spec }));
    } catch (err) {
      if (err instanceof ConflictError) await refresh(this.#c.store, this.#nodes, key);
      throw err;
    }
    this.#reported.delete(key.name);
    this.#c.log(
      `node-ipam: node ${key.name}: podCIDR ${r.cidr}${controlPlane ? `, taint ${CONTROL_PLANE_TAINT.key}:NoSchedule` : ''}`,
    );
  }
}

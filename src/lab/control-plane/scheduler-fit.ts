// The scheduler's decision for one pod, pure: the filters kube-scheduler runs first, in its
// order (NodeUnschedulable, TaintToleration, NodeAffinity — pkg/scheduler/framework/plugins),
// then the node with the fewest pods (a plain spread; kube-scheduler's scores weigh more). When
// no node fits, the message is kube-scheduler's FitError text: "0/3 nodes are available: 1
// node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't
// match Pod's node affinity/selector." — one count per reason, reasons sorted.
import type { Node, Pod } from '../../api/index.js';
import type { Toleration } from '../../api/pod-spec.js';

type Taint = NonNullable<Node['spec']['taints']>[number];

/**
 * A node that is not Ready carries node.kubernetes.io/not-ready (Ready False or missing) or
 * node.kubernetes.io/unreachable (Ready Unknown) as a NoSchedule taint: the node lifecycle
 * controller's TaintNodesByCondition, here derived from the condition instead of written.
 */
export function effectiveTaints(node: Node): Taint[] {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const taints = [...(node.spec.taints ?? [])];
  if (ready === 'Unknown') taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' });
  else if (ready !== 'True') taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  return taints;
}

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first filter a node fails for this pod, as kube-scheduler words it; undefined = fits. */
export function unfitReason(pod: Pod, node: Node): string | undefined {
  const tolerations = pod.spec.tolerations ?? [];
  if (node.spec.unschedulable) {
    const ok = tolerations.some((t) =>
      tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }),
    );
    if (!ok) return 'node(s) were unschedulable';
  }
  for (const taint of effectiveTaints(node)) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerations.some((t) => tolerates(t, taint)))
      return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  }
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {}))
    if (labels[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

export type ScheduleResult = { ok: true; node: string } | { ok: false; message: string };

/** `podsPerNode`: pods already bound to each node (not finished), for the spread. */
export function schedule(pod: Pod, nodes: Node[], podsPerNode: ReadonlyMap<string, number>): ScheduleResult {
  if (nodes.length === 0) return { ok: false, message: 'no nodes available to schedule pods' };
  const reasons = new Map<string, number>();
  const fit: Node[] = [];
  for (const node of nodes) {
    const why = unfitReason(pod, node);
    if (why === undefined) fit.push(node);
    else reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  if (fit.length === 0) {
    const parts = [...reasons].map(([why, n]) => `${n} ${why}`).sort();
    return { ok: false, message: `0/${nodes.length} nodes are available: ${parts.join(', ')}.` };
  }
  const load = (n: Node) => podsPerNode.get(n.metadata.name) ?? 0;
  fit.sort((a, b) => load(a) - load(b) || a.metadata.name.localeCompare(b.metadata.name));
  return { ok: true, node: (fit[0] as Node).metadata.name };
}

// The columns kubectl prints for Pods, Deployments, ReplicaSets and EndpointSlices (printPod,
// printDeployment, printReplicaSet, printEndpointSlice in kubernetes
// pkg/printers/internalversion/printers.go), including its pod STATUS rules: the pod's reason,
// else the first waiting or terminated container's reason, `Terminating` once deletion started.
import type { Deployment, EndpointSlice, Pod, ReplicaSet } from '../api/index.js';
import { age } from './format-age.js';
import type { Columns } from './format-columns.js';

/** kubectl's pod STATUS column. */
export function podStatusText(p: Pod): string {
  let reason = p.status?.reason ?? p.status?.phase ?? 'Pending';
  for (const c of p.status?.containerStatuses ?? []) {
    const s = c.state;
    if (s?.waiting?.reason) reason = s.waiting.reason;
    else if (s?.terminated?.reason) reason = s.terminated.reason;
    else if (s?.terminated)
      reason = s.terminated.signal ? `Signal:${s.terminated.signal}` : `ExitCode:${s.terminated.exitCode}`;
  }
  if (p.metadata.deletionTimestamp) return 'Terminating';
  return reason;
}

/** RESTARTS: the sum, with `(5s ago)` after the last restart as kubectl ≥ 1.24 prints it. */
export function podRestarts(p: Pod, now: number): string {
  const statuses = p.status?.containerStatuses ?? [];
  const total = statuses.reduce((n, c) => n + c.restartCount, 0);
  const last = statuses
    .map((c) => c.lastState?.terminated?.finishedAt)
    .filter((t): t is string => t !== undefined)
    .sort()
    .pop();
  return total > 0 && last ? `${total} (${age(last, now)} ago)` : String(total);
}

const pods: Columns<Pod> = {
  headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideHeaders: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  row: (p, now) => {
    const statuses = p.status?.containerStatuses ?? [];
    const ready = statuses.filter((c) => c.ready).length;
    return [
      p.metadata.name,
      `${ready}/${p.spec.containers.length}`,
      podStatusText(p),
      podRestarts(p, now),
      age(p.metadata.creationTimestamp, now),
    ];
  },
  wide: (p) => [
    p.status?.podIP ?? '<none>',
    p.spec.nodeName ?? '<none>',
    p.status?.nominatedNodeName ?? '<none>',
    '<none>',
  ],
};

function selectorText(sel: Deployment['spec']['selector']): string {
  const labels = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const exprs = (sel.matchExpressions ?? []).map(
    (e) => `${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`,
  );
  return [...labels, ...exprs].join(',') || '<none>';
}

function templateWide(spec: Deployment['spec'] | ReplicaSet['spec']): string[] {
  const cs = spec.template.spec.containers;
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), selectorText(spec.selector)];
}

const deployments: Columns<Deployment> = {
  headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row: (d, now) => [
    d.metadata.name,
    `${d.status?.readyReplicas ?? 0}/${d.spec.replicas}`,
    String(d.status?.updatedReplicas ?? 0),
    String(d.status?.availableReplicas ?? 0),
    age(d.metadata.creationTimestamp, now),
  ],
  wide: (d) => templateWide(d.spec),
};

const replicaSets: Columns<ReplicaSet> = {
  headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
  wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  row: (r, now) => [
    r.metadata.name,
    String(r.spec.replicas),
    String(r.status?.replicas ?? 0),
    String(r.status?.readyReplicas ?? 0),
    age(r.metadata.creationTimestamp, now),
  ],
  wide: (r) => templateWide(r.spec),
};

/** ENDPOINTS: at most three addresses then `+ N more...`, as kubectl's formatEndpointSlices. */
function sliceEndpoints(s: EndpointSlice): string {
  const all = s.endpoints.flatMap((e) => e.addresses);
  if (all.length === 0) return '<unset>';
  const shown = all.slice(0, 3).join(',');
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

const endpointSlices: Columns<EndpointSlice> = {
  headers: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
  wideHeaders: [],
  row: (s, now) => [
    s.metadata.name,
    s.addressType,
    (s.ports ?? []).map((p) => (p.port === undefined ? '<unset>' : String(p.port))).join(',') || '<unset>',
    sliceEndpoints(s),
    age(s.metadata.creationTimestamp, now),
  ],
  wide: () => [],
};

export { deployments, endpointSlices, pods, replicaSets };

// Pod status from what the kubelet knows, shaped as the kubelet writes it (pkg/kubelet/
// kubelet_pods.go generateAPIPodStatus, getPhase; status/generate.go for the conditions), so
// `waggle get pods` prints READY 1/1 and STATUS Running as kubectl does. Pure: the clock and the
// probe results come in as arguments.
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../../api/index.js';
import { findLabImage } from './images.js';
import { type ContainerRecord, type PodRecord, terminatedState } from './record.js';

export interface StatusInput {
  pod: Pod;
  rec: PodRecord | undefined;
  /** Readiness per container name (true without a readiness probe once running). */
  ready: Record<string, boolean>;
  hostIP: string | undefined;
  now: string;
  /** Why the sandbox does not exist yet (CNI failure), shown as the pod's message. */
  sandboxError?: string;
}

function containerStatus(name: string, image: string, c: ContainerRecord | undefined, ready: boolean) {
  const lab = findLabImage(image);
  const s: ContainerStatus = {
    name,
    image,
    ...(lab ? { imageID: `waggle-lab://${lab.repository} (${lab.runs})` } : {}),
    ready: false,
    started: false,
    restartCount: c?.restartCount ?? 0,
  };
  if (c?.pid !== undefined && c.startedAt && !c.terminated) {
    s.containerID = `waggle-lab://${c.pid}`;
    s.state = { running: { startedAt: c.startedAt } };
    s.started = true;
    s.ready = ready;
  } else if (c?.waiting) {
    s.state = {
      waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) },
    };
  } else if (c?.terminated) {
    s.state = terminatedState(c.terminated);
  } else {
    s.state = { waiting: { reason: 'ContainerCreating' } };
  }
  // In back-off the crash just seen is the last state; once running again, the one before.
  const last = c?.waiting && c.terminated ? c.terminated : c?.last;
  s.lastState = last ? terminatedState(last) : {};
  return s;
}

/** getPhase: Pending until every container has run once; Succeeded/Failed once all are done for good. */
export function podPhase(pod: Pod, statuses: ContainerStatus[], sandbox: boolean): PodStatus['phase'] {
  if (!sandbox) return 'Pending';
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode === 0) succeeded++;
      else failed++;
    } else if (s.lastState?.terminated)
      running++; // restarting after a run: still a running pod
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (failed > 0) return pod.spec.restartPolicy === 'Always' ? 'Running' : 'Failed';
  if (succeeded > 0) return pod.spec.restartPolicy === 'Always' ? 'Running' : 'Succeeded';
  return 'Pending';
}

function condition(
  type: string,
  ok: boolean,
  now: string,
  old: PodCondition[] | undefined,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    // Unchanged conditions keep their transition time, as the kubelet's status manager does.
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

export function buildPodStatus(input: StatusInput): PodStatus {
  const { pod, rec, now } = input;
  const old = pod.status?.conditions;
  const statuses = pod.spec.containers.map((c) =>
    containerStatus(c.name, c.image, rec?.containers[c.name], input.ready[c.name] ?? false),
  );
  const phase = podPhase(pod, statuses, rec !== undefined);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const notReadyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMsg = done ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const allReady = unready.length === 0 && phase === 'Running';
  const status: PodStatus = {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', rec !== undefined, now, old),
      condition('Initialized', true, now, old),
      condition('Ready', allReady, now, old, notReadyReason, notReadyMsg),
      condition('ContainersReady', allReady, now, old, notReadyReason, notReadyMsg),
      condition('PodScheduled', true, now, old),
    ],
    ...(input.hostIP ? { hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }] } : {}),
    ...(rec && rec.podIPs.length > 0
      ? { podIP: rec.podIPs[0] as string, podIPs: rec.podIPs.map((ip) => ({ ip })) }
      : {}),
    ...(rec ? { startTime: rec.startTime } : {}),
    containerStatuses: statuses,
    qosClass: 'BestEffort',
  };
  if (input.sandboxError && !rec) status.message = input.sandboxError;
  return status;
}

/** The status without its timestamps, to decide whether a write is needed. */
export function statusKey(s: PodStatus | undefined): string {
  return JSON.stringify(s ?? {}, (k, v) => (k === 'lastTransitionTime' ? undefined : v));
}

// A Deployment's status and its Available / Progressing conditions, with the reasons and
// messages of pkg/controller/deployment/sync.go and progress.go (and util/deployment_util.go):
//   Available    True MinimumReplicasAvailable while available >= replicas - maxUnavailable
//   Progressing  NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated while rolling,
//                NewReplicaSetAvailable once complete, False ProgressDeadlineExceeded when no
//                progress was made for progressDeadlineSeconds.
import type { Deployment, ReplicaSet } from '../../api/index.js';
import { rfc3339Seconds } from '../../api/index.js';

export type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

type Counts = Omit<DeploymentStatus, 'conditions' | 'observedGeneration'> & {
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
};

/** The counts of calculateStatus, summed over the Deployment's ReplicaSets. */
export function countReplicas(desired: number, all: ReplicaSet[], next: ReplicaSet | undefined): Counts {
  const total = (f: (s: NonNullable<ReplicaSet['status']>) => number | undefined) =>
    all.reduce((n, rs) => n + (rs.status ? (f(rs.status) ?? 0) : 0), 0);
  const available = total((s) => s.availableReplicas);
  return {
    replicas: total((s) => s.replicas),
    updatedReplicas: next?.status?.replicas ?? 0,
    readyReplicas: total((s) => s.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, desired - available),
  };
}

/** DeploymentComplete: every replica updated and available, none of an old template left. */
export function isComplete(desired: number, c: Counts): boolean {
  return c.updatedReplicas === desired && c.replicas === desired && c.availableReplicas === desired;
}

/** Progress as DeploymentProgressing sees it: more updated/ready/available, fewer old pods. */
function progressed(prev: DeploymentStatus | undefined, c: Counts): boolean {
  if (!prev) return true;
  const oldBefore = (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
  const oldNow = c.replicas - c.updatedReplicas;
  return (
    c.updatedReplicas > (prev.updatedReplicas ?? 0) ||
    c.readyReplicas > (prev.readyReplicas ?? 0) ||
    c.availableReplicas > (prev.availableReplicas ?? 0) ||
    oldNow < oldBefore
  );
}

function setCondition(
  list: DeploymentCondition[],
  next: Omit<DeploymentCondition, 'lastTransitionTime' | 'lastUpdateTime'>,
  nowIso: string,
  touch: boolean,
): DeploymentCondition[] {
  const cur = list.find((c) => c.type === next.type);
  // SetDeploymentCondition: same status and reason → nothing changes (unless progress is noted).
  if (
    cur &&
    cur.status === next.status &&
    cur.reason === next.reason &&
    cur.message === next.message &&
    !touch
  )
    return list;
  const transition = cur && cur.status === next.status ? cur.lastTransitionTime : nowIso;
  const merged = { ...next, lastUpdateTime: nowIso, lastTransitionTime: transition };
  return [...list.filter((c) => c.type !== next.type), merged];
}

export interface StatusInput {
  deployment: Deployment;
  all: ReplicaSet[];
  next: ReplicaSet | undefined;
  /** The new ReplicaSet's name, also when it is being created in this pass. */
  nextName: string;
  created: boolean;
  maxUnavailable: number;
  nowMs: number;
}

export function deploymentStatus(i: StatusInput): DeploymentStatus {
  const d = i.deployment;
  const desired = d.spec.replicas;
  const c = countReplicas(desired, i.all, i.next);
  const nowIso = rfc3339Seconds(new Date(i.nowMs));
  let conditions = [...(d.status?.conditions ?? [])];
  conditions = setCondition(
    conditions,
    c.availableReplicas >= desired - i.maxUnavailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
    nowIso,
    false,
  );
  const rs = `ReplicaSet "${i.nextName}"`;
  const cur = conditions.find((x) => x.type === 'Progressing');
  if (i.created) {
    conditions = setCondition(
      conditions,
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${i.nextName}"`,
      },
      nowIso,
      true,
    );
  } else if (isComplete(desired, c)) {
    conditions = setCondition(
      conditions,
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `${rs} has successfully progressed.`,
      },
      nowIso,
      false,
    );
  } else if (progressed(d.status, c)) {
    conditions = setCondition(
      conditions,
      { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `${rs} is progressing.` },
      nowIso,
      true,
    );
  } else if (!cur) {
    conditions = setCondition(
      conditions,
      {
        type: 'Progressing',
        status: 'True',
        reason: 'FoundNewReplicaSet',
        message: `Found new replica set "${i.nextName}"`,
      },
      nowIso,
      false,
    );
  } else if (cur.status === 'True' && cur.reason !== 'NewReplicaSetAvailable') {
    const last = Date.parse(cur.lastUpdateTime ?? cur.lastTransitionTime);
    if (Number.isFinite(last) && i.nowMs - last > d.spec.progressDeadlineSeconds * 1000)
      conditions = setCondition(
        conditions,
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `${rs} has timed out progressing.`,
        },
        nowIso,
        false,
      );
  }
  // Available first, Progressing second, as `kubectl describe` lists them.
  conditions.sort((a, b) => order(a.type) - order(b.type));
  return { observedGeneration: d.metadata.generation ?? 1, ...c, conditions };
}

const order = (t: string) => (t === 'Available' ? 0 : t === 'Progressing' ? 1 : 2);

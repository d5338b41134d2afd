// What the kubelet keeps on disk for each pod it runs (like a runtime's sandbox and container
// metadata): enough to adopt running pods after a kubelet restart instead of recreating them.
//   <root>/<node>/pods/<uid>/pod.json         this record
//   <root>/<node>/pods/<uid>/net, uts          the namespaces, held open by bind mounts
//   <root>/<node>/pods/<uid>/<container>/      the container's files (exit code, nginx config)
//   <root>/<node>/pods/<uid>/<container>.log   its stdout and stderr
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerState } from '../../api/index.js';

export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
  message?: string;
}

export interface ContainerRecord {
  name: string;
  image: string;
  restartCount: number;
  /** Crashes in a row, for the back-off; reset after a long run. */
  crashStreak: number;
  pid?: number;
  /** /proc/<pid>/stat start time: a reused pid is not our container. */
  pidStart?: string;
  startedAt?: string;
  /** The run that ended last, shown as lastState. */
  last?: Terminated;
  /** Set when the container exited and is not (yet) started again. */
  terminated?: Terminated;
  /** Epoch ms of the next start, while in back-off. */
  nextStartAt?: number;
  waiting?: { reason: string; message?: string };
}

export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  /** The CNI container id (the sandbox's id, as a runtime passes it). */
  sandboxId: string;
  netns: string;
  uts: string;
  cgroup: string;
  podIPs: string[];
  cniResult?: unknown;
  startTime: string;
  containers: Record<string, ContainerRecord>;
}

export function podsDir(nodeRoot: string): string {
  return join(nodeRoot, 'pods');
}

export function podDir(nodeRoot: string, uid: string): string {
  return join(podsDir(nodeRoot), uid);
}

export function containerDir(nodeRoot: string, uid: string, container: string): string {
  return join(podDir(nodeRoot, uid), container);
}

export function containerLog(nodeRoot: string, uid: string, container: string): string {
  return join(podDir(nodeRoot, uid), `${container}.log`);
}

export function exitFile(nodeRoot: string, uid: string, container: string): string {
  return join(containerDir(nodeRoot, uid, container), 'exit');
}

export function saveRecord(nodeRoot: string, rec: PodRecord): void {
  const dir = podDir(nodeRoot, rec.uid);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, 'pod.json.tmp');
  writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  renameSync(tmp, join(dir, 'pod.json'));
}

export function loadRecord(dir: string): PodRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'pod.json'), 'utf8')) as PodRecord;
  } catch {
    return undefined;
  }
}

/** Every pod record under one node's root. */
export function loadRecords(nodeRoot: string): PodRecord[] {
  let uids: string[] = [];
  try {
    uids = readdirSync(podsDir(nodeRoot));
  } catch {
    return [];
  }
  return uids.flatMap((u) => loadRecord(podDir(nodeRoot, u)) ?? []);
}

/** Every pod record of every node under a kubelet root base (for `waggle exec` and `logs`). */
export function loadAllRecords(base: string): Array<{ nodeRoot: string; rec: PodRecord }> {
  let nodes: string[] = [];
  try {
    nodes = readdirSync(base);
  } catch {
    return [];
  }
  return nodes.flatMap((n) => loadRecords(join(base, n)).map((rec) => ({ nodeRoot: join(base, n), rec })));
}

export function terminatedState(t: Terminated): ContainerState {
  return {
    terminated: {
      exitCode: t.exitCode,
      reason: t.reason,
      startedAt: t.startedAt,
      finishedAt: t.finishedAt,
      ...(t.message ? { message: t.message } : {}),
    },
  };
}

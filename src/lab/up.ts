// `waggle lab up`: converge on a running lab from whatever is there — nothing, a running lab, or
// the leftovers of a crash or a killed `up`. Every step says what it did.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../testing/exec.js';
import { ensureBpffs } from './bpffs.js';
import {
  type Component,
  detectCapabilities,
  loadComponents,
  planComponents,
  saveComponents,
} from './components.js';
import { ensureLabCgroupView } from './cgroup-view.js';
import {
  type EtcdMembers,
  etcdClientUrl,
  etcdMemberHosts,
  hostStoreUrl,
  labStoreUrl,
} from './etcd-members.js';
import { prepareKubelets } from './kubelet/prepare.js';
import { ensureTopology } from './network.js';
import {
  agentSocket,
  LAB_CGROUP_VIEW,
  LOG_DIR,
  PID_DIR,
  REPO_ROOT,
  STATE_DIR,
  STORE_URL_FILE,
  SUPERVISOR_PID,
  WAGGLE_BIN,
} from './paths.js';
import { isOurs, readPid, sleep, stopProcess, writePid } from './procs.js';
import { requireRoot } from './root.js';
import { runningPid } from './supervisor.js';

export const SUPERVISOR_MARKER = 'lab supervise';

export function supervisorPid(): number | undefined {
  const pid = readPid(SUPERVISOR_PID);
  return pid !== undefined && isOurs(pid, SUPERVISOR_MARKER) ? pid : undefined;
}

function startSupervisor(): number {
  const fd = openSync(join(LOG_DIR, 'supervisor.log'), 'a');
  const child = spawn(process.execPath, [WAGGLE_BIN, 'lab', 'supervise'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error('lab up: could not start the supervisor');
  writePid(SUPERVISOR_PID, child.pid);
  child.unref();
  return child.pid;
}

async function waitFor(what: string, timeoutMs: number, ok: () => boolean): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (ok()) return Date.now() - t0;
    await sleep(100);
  }
  throw new Error(`lab up: ${what} not ready after ${timeoutMs} ms (see ${LOG_DIR}/, \`waggle lab logs\`)`);
}

async function waitReady(
  components: Component[],
  members: EtcdMembers,
  say: (s: string) => void,
): Promise<void> {
  const endpoints = etcdMemberHosts(members).map(etcdClientUrl).join(',');
  const etcdHealthy = () =>
    sh('ip', ['netns', 'exec', 'waggle-server', 'etcdctl', '--endpoints', endpoints, 'endpoint', 'health'], {
      allowFail: true,
      timeoutMs: 3000,
    }).code === 0;
  const ms = await waitFor('etcd', 30_000, etcdHealthy);
  say(
    `etcd healthy: ${members} member(s), ${labStoreUrl(members)}, host CLI ${hostStoreUrl(members)} (${ms} ms)`,
  );
  for (const c of components.filter((x) => x.component !== 'etcd')) {
    const ms = await waitFor(c.id, 20_000, () => runningPid(c) !== undefined);
    if (c.component === 'agent') {
      const sock = agentSocket(c.host);
      const sockMs = await waitFor(`${c.id} API socket ${sock}`, 30_000, () => existsSync(sock));
      say(`${c.id} running, pid ${runningPid(c)}, API ${sock} (${Math.max(ms, sockMs)} ms)`);
    } else say(`${c.id} running, pid ${runningPid(c)} (${ms} ms)`);
  }
}

export interface LabUpOptions {
  /** etcd members; absent: as the running lab has them (a repair keeps its store), else 1. */
  etcdMembers?: EtcdMembers;
}

/** How many etcd members the saved plan runs (1 when there is none). */
function savedEtcdMembers(): EtcdMembers {
  const n = loadComponents().filter((c) => c.component === 'etcd').length;
  return n === 3 ? 3 : 1;
}

export async function labUp(say: (s: string) => void, opts: LabUpOptions = {}): Promise<void> {
  requireRoot('up');
  const saved = loadComponents().length > 0 ? savedEtcdMembers() : undefined;
  const members = opts.etcdMembers ?? saved ?? 1;
  if (saved !== undefined && members !== saved)
    throw new Error(
      `lab up --etcd-members ${members}: the lab's store has ${saved} member(s) and its data; run \`waggle lab down\` first (nothing was changed)`,
    );
  // Planned first: a bad WAGGLE_LAB_AGENT_FLAGS fails here, before anything is created.
  const { components, skipped } = planComponents(detectCapabilities(), members);
  for (const d of [STATE_DIR, LOG_DIR, PID_DIR]) mkdirSync(d, { recursive: true });
  say("[1/4] network: the seed's four hosts, two L2 segments");
  ensureTopology((l) => say(`      ${l}`));
  say(`[2/4] bpffs: ${ensureBpffs() ? 'mounted' : 'already mounted'} at ${join(STATE_DIR, 'bpffs')}`);
  for (const c of components)
    if (c.component === 'agent') mkdirSync(join(agentSocket(c.host), '..'), { recursive: true });
  prepareKubelets(components, (l) => say(`      ${l}`));
  const agentHosts = components.filter((c) => c.component === 'agent').map((c) => c.host);
  if (ensureLabCgroupView(agentHosts)) say(`      cgroup subtree of the nodes bound at ${LAB_CGROUP_VIEW}`);
  const changed = JSON.stringify(loadComponents()) !== JSON.stringify(components);
  let existing = supervisorPid();
  if (existing !== undefined && changed) {
    // The build gained or lost a command since the supervisor started: restart it on the new plan.
    await stopProcess(existing, SUPERVISOR_MARKER, 'SIGTERM', 15_000);
    existing = undefined;
  }
  saveComponents(components);
  // Host-side CLI commands reach etcd through its unix socket (see paths.ts).
  writeFileSync(STORE_URL_FILE, `${hostStoreUrl(members)}\n`);
  if (existing !== undefined) {
    say(`[3/4] supervisor: already running, pid ${existing}`);
  } else {
    say(`[3/4] supervisor: started, pid ${startSupervisor()}`);
  }
  for (const s of skipped) say(`      skipped ${s}`);
  say(`[4/4] components: ${components.map((c) => c.id).join(', ')}`);
  await waitReady(components, members, (l) => say(`      ${l}`));
  say('lab is up: try `waggle lab status`, `waggle lab exec jumpbox -- arping -c 3 -i eth1 10.0.10.0`');
}

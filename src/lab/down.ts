// `waggle lab down`: remove everything the lab made — processes, namespaces (and with them every
// veth, bridge and tc filter), the bpffs with its pins, the agent sockets and the state directory.
// It trusts nothing to be complete: it works after a crash, a killed `up`, or a second `down`.
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../testing/exec.js';
import { removeBpffs } from './bpffs.js';
import { removeLabCgroupView } from './cgroup-view.js';
import { loadComponents, markerOf } from './components.js';
import { listNetns, removeTopology } from './network.js';
import { removeKubeletState } from './kubelet/teardown.js';
import { agentSocket, KUBELET_DIR, LAB_CGROUP_VIEW, PID_DIR, STATE_DIR, SUPERVISOR_PID } from './paths.js';
import { cmdlineOf, pidFile, readPid, stopProcess } from './procs.js';
import { requireRoot } from './root.js';
import { SUPERVISOR_MARKER } from './up.js';
import { allLabNetns, HOSTS } from './topology.js';

/** Pids of processes still inside the lab's namespaces (e.g. started by `lab exec`). */
function pidsInLabNetns(): number[] {
  const present = new Set(listNetns());
  const pids: number[] = [];
  for (const ns of allLabNetns()) {
    if (!present.has(ns)) continue;
    const out = sh('ip', ['netns', 'pids', ns], { allowFail: true }).stdout;
    for (const p of out.split('\n')) if (/^\d+$/.test(p.trim())) pids.push(Number(p));
  }
  return pids;
}

async function stopProcesses(say: (s: string) => void): Promise<void> {
  // The supervisor first, so it restarts nothing; it stops its children on SIGTERM.
  const sup = readPid(SUPERVISOR_PID);
  if (sup !== undefined && (await stopProcess(sup, SUPERVISOR_MARKER, 'SIGTERM', 15_000))) {
    say(`supervisor pid ${sup} stopped`);
  }
  // Components whose supervisor died before them (crash, SIGKILL).
  for (const c of loadComponents()) {
    const pid = readPid(pidFile(c.id));
    if (pid !== undefined && (await stopProcess(pid, markerOf(c), 'SIGTERM', 3000))) {
      say(`${c.id} pid ${pid} stopped`);
    }
  }
  // Anything else living in a namespace the lab created: started by `lab exec`, or by an `up`
  // killed between spawning a process and recording its pid. The namespace is the lab's, so
  // is the process; the cmdline is read again right before the signal.
  for (const pid of pidsInLabNetns()) {
    const cmd = cmdlineOf(pid);
    if (!cmd) continue;
    if (await stopProcess(pid, cmd.join(' '), 'SIGTERM', 3000))
      say(`pid ${pid} (${cmd[0]}) in a lab netns stopped`);
  }
}

export async function labDown(say: (s: string) => void): Promise<void> {
  requireRoot('down');
  await stopProcesses(say);
  if (removeLabCgroupView()) say(`${LAB_CGROUP_VIEW} unmounted`);
  await removeKubeletState(KUBELET_DIR, say);
  removeTopology(say);
  const unmounted = removeBpffs();
  if (unmounted > 0) say(`bpffs ${join(STATE_DIR, 'bpffs')} unmounted (pinned maps gone)`);
  for (const h of HOSTS) {
    rmSync(agentSocket(h.name), { force: true });
    const dir = join(agentSocket(h.name), '..');
    try {
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    } catch {
      // not there
    }
  }
  rmSync(PID_DIR, { recursive: true, force: true });
  rmSync(STATE_DIR, { recursive: true, force: true });
  say('lab is down: no lab namespace, process, mount or state left');
}

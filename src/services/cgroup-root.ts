// The cgroup v2 directory socket LB attaches to (--cgroup-root, Cilium's flag): every socket
// created by a process in it or below is translated. Given, it must lie on a cgroup2 mount (it is
// created if missing: a node's own subtree in the lab and in tests). Not given: the host's cgroup2
// mount, or — on a host with only cgroup v1 — one mounted under the agent's state directory, as
// Cilium mounts /run/cilium/cgroupv2 (pkg/cgroups).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroup2MountOf, findCgroup2Mount } from '../lib/cgroup2.js';
import { run } from '../lib/exec.js';

export async function resolveCgroupRoot(flag: string | undefined, stateDir: string): Promise<string> {
  if (flag) {
    if (!cgroup2MountOf(flag))
      throw new Error(`--cgroup-root "${flag}": not on a cgroup2 mount (socket LB needs cgroup v2)`);
    if (!existsSync(flag)) mkdirSync(flag, { recursive: true });
    return flag;
  }
  const mounted = findCgroup2Mount();
  if (mounted) return mounted;
  const own = join(stateDir, 'cgroupv2');
  mkdirSync(own, { recursive: true });
  await run('mount', ['-t', 'cgroup2', 'none', own], { timeoutMs: 5000 });
  return own;
}

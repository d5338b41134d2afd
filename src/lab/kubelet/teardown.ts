// What `lab down` removes of the kubelets' work, in an order that cannot leave anything busy:
// every process in the lab's cgroup subtree is killed (containers, shims, `lab exec` shells),
// the pod namespaces and the shared root are unmounted, then the cgroups are removed.
// Network devices need nothing here: each lxc lives in a node namespace, which `down` deletes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cgroup2Mount, cgroupTreePids, killCgroup, LAB_CGROUP, removeCgroup } from './cgroup.js';
import { unmountUnder } from './mounts.js';

export async function removeKubeletState(rootBase: string, say: (s: string) => void): Promise<void> {
  let top: string | undefined;
  try {
    top = join(cgroup2Mount(), LAB_CGROUP);
  } catch {
    top = undefined;
  }
  if (top && existsSync(top)) {
    const n = cgroupTreePids(top).length;
    killCgroup(top);
    for (let i = 0; i < 50 && cgroupTreePids(top).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    if (n > 0) say(`${n} pod and exec processes in cgroup ${top} killed`);
  }
  const mounts = unmountUnder(rootBase);
  if (mounts > 0) say(`${mounts} pod namespace mounts under ${rootBase} unmounted`);
  if (top && existsSync(top)) {
    await removeCgroup(top);
    say(`cgroup ${top} removed`);
  }
}

// The lab's cgroup subtree, where the lab agents can see it. Pods and `lab exec` processes live in
// <cgroup2>/waggle-lab/<node>/ (kubelet/cgroup.ts); each node's agent attaches socket LB there
// (--cgroup-root), as Cilium attaches to its node's cgroup root. The agents run under `ip netns
// exec`, which remounts /sys and so hides the host's cgroup2 mount; `lab up` therefore binds the
// lab's subtree — only it, never the host's whole hierarchy — at /run/waggle/lab-cgroup, outside
// the state directory `lab down` removes recursively, and `lab down` unmounts it first.
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../testing/exec.js';
import { cgroup2Mount, LAB_CGROUP } from './kubelet/cgroup.js';
import { LAB_CGROUP_VIEW } from './paths.js';

/** The directory a lab agent passes as --cgroup-root: its node's subtree, through the view. */
export function labAgentCgroupRoot(node: string): string {
  return join(LAB_CGROUP_VIEW, node);
}

function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

/** Creates <cgroup2>/waggle-lab/<node> for each node and binds waggle-lab at the view. */
export function ensureLabCgroupView(nodes: readonly string[]): boolean {
  const top = join(cgroup2Mount(), LAB_CGROUP);
  for (const n of nodes) mkdirSync(join(top, n), { recursive: true });
  if (isMounted(LAB_CGROUP_VIEW)) return false;
  mkdirSync(LAB_CGROUP_VIEW, { recursive: true });
  sh('mount', ['--bind', top, LAB_CGROUP_VIEW]);
  return true;
}

/** Unmounts the view (before the cgroups are removed: a mounted cgroup cannot be). */
export function removeLabCgroupView(): boolean {
  let did = false;
  for (let i = 0; i < 5 && isMounted(LAB_CGROUP_VIEW); i++) {
    sh('umount', [LAB_CGROUP_VIEW], { allowFail: true });
    did = true;
  }
  if (isMounted(LAB_CGROUP_VIEW)) throw new Error(`lab down: ${LAB_CGROUP_VIEW} is still mounted`);
  if (existsSync(LAB_CGROUP_VIEW)) rmdirSync(LAB_CGROUP_VIEW);
  return did;
}

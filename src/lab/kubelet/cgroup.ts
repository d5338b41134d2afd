// The lab's cgroup v2 subtree: <cgroup2>/waggle-lab/<node>/ for each node, pods under
// <node>/pods/<uid>, `lab exec` processes in <node>/exec. Only directories the lab made are
// touched: the root cgroup's own files never are. A hybrid host mounts cgroup2 at
// /sys/fs/cgroup/unified, a pure v2 host at /sys/fs/cgroup; /proc/self/mounts says which.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_CGROUP_VIEW } from '../paths.js';

export function cgroup2Mount(): string {
  const lines = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  // The lab's own bind of its subtree (cgroup-view.ts) is a cgroup2 mount too, but not the root.
  const m = lines.map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2' && f[1] !== LAB_CGROUP_VIEW);
  if (!m) throw new Error('cgroup2: not mounted (looked in /proc/self/mounts)');
  return m[1] as string;
}

export const LAB_CGROUP = 'waggle-lab';

export function nodeCgroup(node: string, top = LAB_CGROUP): string {
  return join(cgroup2Mount(), top, node);
}

export function podCgroup(nodeCg: string, uid: string): string {
  return join(nodeCg, 'pods', uid);
}

export function ensureCgroup(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** Pids in one cgroup (not its children). */
export function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
  } catch {
    return [];
  }
}

/** Every pid in a cgroup and its descendants. */
export function cgroupTreePids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const kids = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  return [...cgroupPids(dir), ...kids.flatMap((k) => cgroupTreePids(join(dir, k.name)))];
}

/** SIGKILLs everything in the subtree: cgroup.kill (Linux 5.14) where it exists, else pid by pid. */
export function killCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  if (existsSync(join(dir, 'cgroup.kill'))) {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
    return;
  }
  for (const pid of cgroupTreePids(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Removes a cgroup and its descendants, deepest first; waits briefly for dying tasks. */
export async function removeCgroup(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const k of readdirSync(dir, { withFileTypes: true }))
    if (k.isDirectory()) await removeCgroup(join(dir, k.name));
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      if (i === 49) throw new Error(`cgroup ${dir}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The shell prefix that moves itself into `cg` and then execs the rest: no fork escapes. */
export function inCgroupArgv(cg: string, argv: string[]): string[] {
  return ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg, ...argv];
}

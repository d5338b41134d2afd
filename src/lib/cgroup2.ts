// Where the cgroup v2 hierarchy is mounted. Socket LB attaches to a directory of it: the whole
// hierarchy in production (Cilium mounts cgroup2 at /run/cilium/cgroupv2 when the host has none),
// a subtree per node in the lab and in tests, so that nothing outside them is translated.
import { readFileSync } from 'node:fs';

/**
 * The mount points of every cgroup2 filesystem in a /proc/<pid>/mountinfo text (proc(5): field 5
 * is the mount point, the filesystem type follows the " - " separator), shortest first.
 */
export function cgroup2Mounts(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    if (line.slice(sep + 3).split(' ')[0] !== 'cgroup2') continue;
    const point = line.slice(0, sep).split(' ')[4];
    // mountinfo escapes spaces and the like as octal (\040).
    if (point)
      out.push(point.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
  }
  return out.sort((a, b) => a.length - b.length);
}

/** This process's cgroup2 mount (e.g. /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
export function findCgroup2Mount(
  mountinfo = readFileSync('/proc/self/mountinfo', 'utf8'),
): string | undefined {
  return cgroup2Mounts(mountinfo)[0];
}

/** The cgroup2 mount `dir` lies in (itself or below), if any. */
export function cgroup2MountOf(
  dir: string,
  mountinfo = readFileSync('/proc/self/mountinfo', 'utf8'),
): string | undefined {
  const clean = dir.replace(/\/+$/, '');
  return cgroup2Mounts(mountinfo)
    .filter((m) => clean === m || clean.startsWith(`${m}/`))
    .sort((a, b) => b.length - a.length)[0];
}

// Mount plumbing for pod namespaces. A namespace outlives its processes only while something
// holds it; like `ip netns add` and a pause container, the kubelet bind-mounts it onto a file.
// The agent runs under `ip netns exec`, in a mount namespace of its own made a slave of the host's
// at its start: it sees the kubelet's later bind mounts only if their directory is a *shared*
// mount by then. So the kubelet root is bind-mounted onto itself and made shared, as iproute2 does
// for /run/netns (ip/ipnetns.c netns_add), before the agents start.
import { mkdirSync, readFileSync } from 'node:fs';
import { sh } from '../../testing/exec.js';

interface MountInfo {
  target: string;
  shared: boolean;
  fstype: string;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

export function mountInfo(): MountInfo[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.split(' ');
      const dash = f.indexOf('-');
      return {
        target: unescapeOctal(f[4] as string),
        shared: f.slice(6, dash).some((o) => o.startsWith('shared:')),
        fstype: f[dash + 1] as string,
      };
    });
}

/** Makes `dir` a shared mount point (idempotent); returns true when it did something. */
export function ensureSharedMount(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  const own = mountInfo().filter((m) => m.target === dir);
  if (own.some((m) => m.shared)) return false;
  if (own.length === 0) sh('mount', ['--bind', dir, dir]);
  sh('mount', ['--make-shared', dir]);
  return true;
}

/** Unmounts everything at or below `dir`, deepest first (pod namespaces, then the shared mount). */
export function unmountUnder(dir: string): number {
  const targets = mountInfo()
    .map((m) => m.target)
    .filter((t) => t === dir || t.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const t of targets) sh('umount', [t], { allowFail: true });
  return targets.length;
}

export function isMountPoint(path: string): boolean {
  return mountInfo().some((m) => m.target === path);
}

// The lab's private bpffs at /run/waggle/lab/bpffs. Agents pin their maps under <bpffs>/<node>/;
// unmounting it drops every pin at once.
import { mkdirSync, readFileSync } from 'node:fs';
import { sh } from '../testing/exec.js';
import { BPFFS_DIR } from './paths.js';

export function isMounted(dir: string): boolean {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  return mounts.some((line) => line.split(' ')[1] === dir);
}

export function ensureBpffs(): boolean {
  if (isMounted(BPFFS_DIR)) return false;
  mkdirSync(BPFFS_DIR, { recursive: true });
  sh('mount', ['-t', 'bpf', 'bpf', BPFFS_DIR]);
  return true;
}

/** Unmounts every stacked mount at the lab's bpffs (a crashed `up` run twice can stack two). */
export function removeBpffs(): number {
  let n = 0;
  while (isMounted(BPFFS_DIR) && n < 10) {
    sh('umount', [BPFFS_DIR]);
    n++;
  }
  return n;
}

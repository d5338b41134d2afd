// A bpf link kept alive by a pin in bpffs instead of by an open fd, for every attach type (tcx,
// cgroup): the pin outlives the agent, so traffic keeps its programs across a restart, and
// replacing the pin swaps attachments without a gap. Unpinning detaches.
import { existsSync, unlinkSync } from 'node:fs';
import { BpfError, check } from './errors.js';
import { bpf, c } from './native.js';

/** Pins link `fd` at `pinPath` (replacing an earlier pin) and closes the fd either way. */
export function pinLink(fd: number, pinPath: string, what: string): void {
  try {
    if (existsSync(pinPath)) unlinkSync(pinPath);
    check(bpf.objPin(fd, pinPath) as number, `pin ${what} link`, pinPath);
  } finally {
    c.close(fd); // on success the pin holds the link; on failure this detaches it
  }
}

/** Removes a pinned link (and so its attachment); false when nothing was pinned there. */
export function unpinLink(pinPath: string, what: string): boolean {
  try {
    unlinkSync(pinPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new BpfError({
      op: `unpin ${what} link`,
      object: pinPath,
      errno: (err as NodeJS.ErrnoException).errno ?? 0,
    });
  }
}

// Attaching cgroup sock_addr programs (socket LB) to a cgroup v2 directory through bpf links,
// held by a pin in bpffs as the tcx links are (tc.ts): the attachment outlives the agent's
// process, so a crashed or restarting agent does not stop translating service addresses, and it
// ends exactly when its pin is removed.
import { BpfError, Errno } from './errors.js';
import { bpf, c, errno } from './native.js';
import { pinLink, unpinLink } from './link-pin.js';
import type { BpfProgram } from './program.js';

/** The hooks socket LB uses, with their enum bpf_attach_type values (include/uapi/linux/bpf.h). */
export const CgroupHook = {
  connect4: 10, // BPF_CGROUP_INET4_CONNECT
  sendmsg4: 14, // BPF_CGROUP_UDP4_SENDMSG
  recvmsg4: 19, // BPF_CGROUP_UDP4_RECVMSG
  getpeername4: 29, // BPF_CGROUP_INET4_GETPEERNAME
} as const;
export type CgroupHookName = keyof typeof CgroupHook;

const O_RDONLY = 0;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;

/**
 * Attaches `prog` at `hook` of the cgroup v2 directory `cgroupDir` through a link pinned at
 * `pinPath`; our fd is closed at once. A link already pinned there (an earlier agent's) is
 * replaced without a gap: the new link is attached first — for a moment both run, and the second
 * finds the address already translated — then the old pin is removed and the new one pinned.
 * Returns the attached program's id.
 */
export function attachCgroupPinned(
  prog: BpfProgram,
  cgroupDir: string,
  hook: CgroupHookName,
  pinPath: string,
): number {
  const cg = c.open(cgroupDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) as number;
  if (cg < 0)
    throw new BpfError({
      op: `attach ${prog.name} to cgroup`,
      object: cgroupDir,
      errno: errno(),
      hint: 'is it a directory on a cgroup2 mount (--cgroup-root)?',
    });
  let fd: number;
  try {
    fd = bpf.linkCreate(prog.fd, cg, CgroupHook[hook], null) as number;
  } finally {
    c.close(cg);
  }
  if (fd < 0)
    throw new BpfError({
      op: `attach ${prog.name} to cgroup ${hook} of`,
      object: cgroupDir,
      errno: -fd,
      ...(fd === -Errno.EBADF ? { hint: 'a cgroup v1 directory? socket LB needs cgroup v2' } : {}),
    });
  pinLink(fd, pinPath, 'cgroup');
  return prog.id;
}

/** Removes a pinned cgroup link (and so its attachment); false when nothing was pinned there. */
export function detachPinnedCgroup(pinPath: string): boolean {
  return unpinLink(pinPath, 'cgroup');
}

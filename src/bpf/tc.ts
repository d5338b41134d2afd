// Attaching SCHED_CLS programs to a device, through tc clsact (persists in the kernel until
// removed, like Cilium's legacy attach) or tcx links (kernel ≥ 6.6). Each attachment object
// owns exactly what it attached and detach() removes only that.
import { BpfError, check, Errno } from './errors.js';
import { bpf, c, sizeOf, TcHook, TcOpts } from './native.js';
import { unlinkSync } from 'node:fs';
import { pinLink, unpinLink } from './link-pin.js';
import type { BpfProgram } from './program.js';

export type Direction = 'ingress' | 'egress';

const BPF_TC_INGRESS = 1;
const BPF_TC_EGRESS = 2;
const BPF_TCX_INGRESS = 46;
const BPF_TCX_EGRESS = 47;

export interface Attachment {
  readonly kind: 'tc' | 'tcx';
  readonly ifindex: number;
  readonly direction: Direction;
  readonly programId: number;
  detach(): void;
}

function hook(ifindex: number, direction: Direction) {
  return {
    sz: sizeOf(TcHook),
    ifindex,
    attach_point: direction === 'ingress' ? BPF_TC_INGRESS : BPF_TC_EGRESS,
    parent: 0,
  };
}

/** Default tc filter priority and handle for waggle's filters, so we can find (only) ours again. */
export const TC_PRIORITY = 1;
export const TC_HANDLE = 1;

/** bpf_tc_opts addressing waggle's filter slot, for query and detach (libbpf fills prog_id). */
function ourSlot() {
  return { sz: sizeOf(TcOpts), prog_fd: 0, flags: 0, prog_id: 0, handle: TC_HANDLE, priority: TC_PRIORITY };
}

/**
 * Attaches via tc clsact as a direct-action filter (handle 1, priority 1), replacing a previous
 * waggle filter at the same slot. The clsact qdisc is created if absent; it is left in place on
 * detach because other programs may use it (an empty clsact is harmless).
 */
export function attachTc(
  prog: BpfProgram,
  ifindex: number,
  direction: Direction,
  device = `ifindex ${ifindex}`,
): Attachment {
  const h = hook(ifindex, direction);
  const created = bpf.tcHookCreate(h) as number;
  if (created < 0 && created !== -17) check(created, 'create clsact qdisc', device); // -EEXIST is fine
  const opts = {
    sz: sizeOf(TcOpts),
    prog_fd: prog.fd,
    flags: 1 /* BPF_TC_F_REPLACE */,
    prog_id: 0,
    handle: TC_HANDLE,
    priority: TC_PRIORITY,
  };
  check(bpf.tcAttach(h, opts), `attach ${prog.name} to tc ${direction} of`, device);
  const programId = opts.prog_id;
  return {
    kind: 'tc',
    ifindex,
    direction,
    programId,
    detach() {
      detachTc(ifindex, direction, programId, device);
    },
  };
}

/**
 * Removes waggle's tc filter at (handle 1, priority 1) if, and only if, it still runs the
 * program we attached (`programId`), or any program when programId is 0. Returns whether it
 * removed something.
 */
export function detachTc(
  ifindex: number,
  direction: Direction,
  programId = 0,
  device = `ifindex ${ifindex}`,
): boolean {
  const h = hook(ifindex, direction);
  const q = ourSlot();
  const ret = bpf.tcQuery(h, q) as number;
  if (ret === -Errno.ENOENT || ret === -Errno.ENODEV || ret === -Errno.EINVAL) return false; // no filter / no device / no qdisc
  check(ret, 'query tc filter on', device);
  if (programId !== 0 && q.prog_id !== programId) return false; // someone replaced it: not ours
  const d = ourSlot();
  check(bpf.tcDetach(h, d), `detach tc ${direction} filter from`, device);
  return true;
}

/** The id of the program at waggle's tc slot, or 0. */
export function queryTc(ifindex: number, direction: Direction): number {
  const q = ourSlot();
  const ret = bpf.tcQuery(hook(ifindex, direction), q) as number;
  return ret < 0 ? 0 : q.prog_id;
}

/**
 * Attaches through a tcx link. A link lives as long as its fd or its pin: pass `pinPath` to
 * keep it attached after this process exits (the agent does, so that a crash does not stop the
 * datapath; liveness gating takes care of stale state).
 */
export function attachTcx(
  prog: BpfProgram,
  ifindex: number,
  direction: Direction,
  pinPath?: string,
  device = `ifindex ${ifindex}`,
): Attachment {
  const fd = createTcxLink(prog, ifindex, direction, device);
  if (pinPath) {
    const pinned = bpf.objPin(fd, pinPath) as number;
    if (pinned < 0) {
      c.close(fd);
      check(pinned, 'pin tcx link', pinPath);
    }
  }
  let open = true;
  return {
    kind: 'tcx',
    ifindex,
    direction,
    programId: prog.id,
    detach() {
      if (!open) return;
      open = false;
      if (pinPath) {
        try {
          unlinkSync(pinPath);
        } catch {
          // already gone: nothing of ours to remove
        }
      }
      c.close(fd);
    },
  };
}

/**
 * Attaches through a tcx link held only by its pin at `pinPath`: our fd is closed at once, so
 * the attachment belongs to bpffs, survives this process, and ends when the pin is removed
 * (detachPinnedTcx). A link already pinned there (an earlier agent's) is replaced without a gap:
 * the new link is attached first, then the old pin removed (its link detaches) and the new one
 * pinned in its place. Returns the attached program's id.
 */
export function attachTcxPinned(
  prog: BpfProgram,
  ifindex: number,
  direction: Direction,
  pinPath: string,
  device = `ifindex ${ifindex}`,
): number {
  const fd = createTcxLink(prog, ifindex, direction, device);
  pinLink(fd, pinPath, 'tcx');
  return prog.id;
}

/** Removes a pinned tcx link (and so its attachment); false when nothing was pinned there. */
export function detachPinnedTcx(pinPath: string): boolean {
  return unpinLink(pinPath, 'tcx');
}

/** A new tcx link of `prog` on the device; its fd, or a BpfError naming the device. */
function createTcxLink(prog: BpfProgram, ifindex: number, direction: Direction, device: string): number {
  const type = direction === 'ingress' ? BPF_TCX_INGRESS : BPF_TCX_EGRESS;
  const fd = bpf.linkCreate(prog.fd, ifindex, type, null) as number;
  if (fd < 0) {
    throw new BpfError({
      op: `attach ${prog.name} to tcx ${direction} of`,
      object: device,
      errno: -fd,
      ...(fd === -Errno.EINVAL ? { hint: 'tcx needs Linux ≥ 6.6; use tc attach instead' } : {}),
    });
  }
  return fd;
}

// The socket-LB programs on the node's cgroup, each through a link pinned at
// <pinDir>/links/sock4_<hook> beside the tcx links: the attachment survives the agent (a crash
// or restart keeps translating), a restarted agent replaces it without a gap, and it goes only
// when its pin is removed (--bpf-lb-sock=false, or a failed start of the run that made it).
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { attachCgroupPinned, type CgroupHookName, detachPinnedCgroup } from '../bpf/index.js';
import type { SockPrograms } from '../datapath/sock-datapath.js';

export const SOCK_HOOKS: readonly CgroupHookName[] = ['connect4', 'sendmsg4', 'recvmsg4', 'getpeername4'];

const linksDir = (pinDir: string) => join(pinDir, 'links');
export const sockLinkPin = (pinDir: string, hook: CgroupHookName) => join(linksDir(pinDir), `sock4_${hook}`);

/** Attaches every hook; returns the pins made. A failure detaches the ones this call attached. */
export function attachSockLb(programs: SockPrograms, cgroupRoot: string, pinDir: string): string[] {
  mkdirSync(linksDir(pinDir), { recursive: true });
  const made: string[] = [];
  try {
    for (const hook of SOCK_HOOKS) {
      const pin = sockLinkPin(pinDir, hook);
      attachCgroupPinned(programs[hook], cgroupRoot, hook, pin);
      made.push(pin);
    }
  } catch (err) {
    for (const pin of made) detachPinnedCgroup(pin);
    throw err;
  }
  return made;
}

/** Removes every socket-LB link pinned in pinDir (this run's or an earlier one's). */
export function detachSockLb(pinDir: string): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(linksDir(pinDir));
  } catch {
    return 0;
  }
  for (const n of names)
    if (n.startsWith('sock4_') && detachPinnedCgroup(join(linksDir(pinDir), n))) removed++;
  return removed;
}

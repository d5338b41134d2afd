// The pod sandbox, what a pause container gives a real pod: a network namespace and a UTS
// namespace whose hostname is the pod's name, both held open by bind mounts onto files in the
// pod's directory, and the pod's cgroup. Processes join them with nsenter.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../../testing/exec.js';
import { ensureCgroup, killCgroup, removeCgroup } from './cgroup.js';
import { isMountPoint } from './mounts.js';

export interface SandboxPaths {
  dir: string;
  netns: string;
  uts: string;
  cgroup: string;
}

export function sandboxPaths(podDir: string, cgroup: string): SandboxPaths {
  return { dir: podDir, netns: join(podDir, 'net'), uts: join(podDir, 'uts'), cgroup };
}

/** True when both namespace files are still mounted (the sandbox survived a kubelet restart). */
export function sandboxAlive(p: SandboxPaths): boolean {
  return isMountPoint(p.netns) && isMountPoint(p.uts);
}

/**
 * Makes the namespaces (hostname set, loopback up, as the CNI loopback plugin would) and the
 * cgroup. unshare(1) with --net=FILE --uts=FILE bind-mounts the new namespaces onto the files.
 */
export function createSandbox(p: SandboxPaths, hostname: string): void {
  mkdirSync(p.dir, { recursive: true });
  for (const f of [p.netns, p.uts]) {
    if (isMountPoint(f)) sh('umount', [f]);
    writeFileSync(f, '');
  }
  sh('unshare', [
    `--net=${p.netns}`,
    `--uts=${p.uts}`,
    'sh',
    '-c',
    'hostname "$0" && ip link set lo up',
    hostname,
  ]);
  ensureCgroup(p.cgroup);
}

/** nsenter argv that runs `argv` inside the sandbox's network and UTS namespaces. */
export function inSandboxArgv(p: Pick<SandboxPaths, 'netns' | 'uts'>, argv: string[]): string[] {
  return ['nsenter', `--net=${p.netns}`, `--uts=${p.uts}`, '--', ...argv];
}

/** Kills whatever is left in the cgroup, unmounts the namespaces and removes the pod's files. */
export async function removeSandbox(p: SandboxPaths): Promise<void> {
  killCgroup(p.cgroup);
  await removeCgroup(p.cgroup);
  for (const f of [p.netns, p.uts]) if (isMountPoint(f)) sh('umount', [f], { allowFail: true });
  if (existsSync(p.dir)) rmSync(p.dir, { recursive: true, force: true });
}

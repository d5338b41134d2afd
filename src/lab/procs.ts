// Process bookkeeping shared by the supervisor and the commands: pid files, the /proc check that a
// recorded pid is still the process we started (pids are reused), and bounded waits for exit.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PID_DIR, STOPPED_DIR } from './paths.js';

export function cmdlineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive (not a zombie) and its command line contains `marker`. */
export function isOurs(pid: number, marker: string): boolean {
  const cmd = cmdlineOf(pid);
  if (!cmd || cmd.length === 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
  } catch {
    return false;
  }
  return cmd.join(' ').includes(marker);
}

export function pidFile(id: string): string {
  return join(PID_DIR, `${id}.pid`);
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePid(file: string, pid: number): void {
  mkdirSync(PID_DIR, { recursive: true });
  writeFileSync(file, `${pid}\n`);
}

export function stoppedMarker(id: string): string {
  return join(STOPPED_DIR, id);
}

export function markStopped(id: string, stopped: boolean): void {
  if (stopped) {
    mkdirSync(STOPPED_DIR, { recursive: true });
    writeFileSync(stoppedMarker(id), `${new Date().toISOString()}\n`);
  } else {
    rmSync(stoppedMarker(id), { force: true });
  }
}

export function isStopped(id: string): boolean {
  return existsSync(stoppedMarker(id));
}

/**
 * Signals what is left of a component's process group. The supervisor starts each component as
 * the leader of its own group (setsid), so the group holds exactly that component and the helpers
 * it spawned (the agent's `ip monitor`). Like a container runtime tearing down a crashed
 * container, this takes those helpers down too instead of leaving them orphaned in the netns.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // no such group: already empty
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Sends `signal`, then waits up to `graceMs` for the process to go; SIGKILL after that. Only
 * signals a pid whose command line still carries `marker`. Returns true if it was running.
 */
export async function stopProcess(pid: number, marker: string, signal: NodeJS.Signals, graceMs: number) {
  if (!isOurs(pid, marker)) return false;
  try {
    process.kill(pid, signal);
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(pid, marker)) return true;
    await sleep(50);
  }
  if (isOurs(pid, marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone between the check and the kill
    }
    for (let i = 0; i < 40 && isOurs(pid, marker); i++) await sleep(50);
  }
  return true;
}

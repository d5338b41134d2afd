// Container processes. Each runs under a tiny shell shim (what containerd-shim or conmon is for a
// real runtime): the shim moves itself into the pod's cgroup, starts the program in the pod's
// namespaces, waits for it and writes its exit status to a file. The kubelet never needs to be
// the parent, so a restarted kubelet adopts running containers and still learns how they ended.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inCgroupArgv } from './cgroup.js';
import { inSandboxArgv, type SandboxPaths } from './sandbox.js';

// $1: exit file, $2: pid file, then the command. `wait` yields 128+N for a signal N, as a shell
// reports it, which is also the exit code a container runtime reports for a signalled process.
const SHIM =
  'ef=$1; pf=$2; shift 2; "$@" & echo $! > "$pf.tmp" && mv "$pf.tmp" "$pf"; wait $!; echo $? > "$ef.tmp" && mv "$ef.tmp" "$ef"';

export interface StartedProcess {
  pid: number;
  pidStart: string;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or undefined for no live process. */
export function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined, pidStart: string | undefined): boolean {
  return pid !== undefined && pidStart !== undefined && procStart(pid) === pidStart;
}

export interface StartSpec {
  sandbox: SandboxPaths;
  dir: string;
  log: string;
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** Starts the container; resolves once its pid is known (or rejects naming what failed). */
export async function startContainer(s: StartSpec): Promise<StartedProcess> {
  mkdirSync(s.dir, { recursive: true });
  const ef = join(s.dir, 'exit');
  const pf = join(s.dir, 'pid');
  rmSync(ef, { force: true });
  rmSync(pf, { force: true });
  const fd = openSync(s.log, 'a');
  const argv = inCgroupArgv(s.sandbox.cgroup, [
    'sh',
    '-c',
    SHIM,
    'shim',
    ef,
    pf,
    ...inSandboxArgv(s.sandbox, s.argv),
  ]);
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    ...s.env,
  };
  // detached: its own session, so the kubelet's exit (or the supervisor killing the kubelet's
  // process group) leaves it running, as containers outlive a real kubelet.
  const child = spawn(argv[0] as string, argv.slice(1), {
    detached: true,
    stdio: ['ignore', fd, fd],
    env,
    cwd: s.cwd ?? '/',
  });
  closeSync(fd);
  child.unref();
  child.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    const pid = readPidFile(pf);
    if (pid !== undefined) {
      const start = procStart(pid);
      if (start !== undefined) return { pid, pidStart: start };
      if (existsSync(ef)) return { pid, pidStart: 'exited' };
    }
    if (child.exitCode !== null) throw new Error(`container shim exited ${child.exitCode} (see ${s.log})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`container did not start within 2 s (see ${s.log})`);
}

function readPidFile(f: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(f, 'utf8'), 10);
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The exit code the shim recorded, if the container has exited. */
export function readExit(dir: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(join(dir, 'exit'), 'utf8'), 10);
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export function signal(pid: number | undefined, pidStart: string | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined || !isAlive(pid, pidStart)) return;
  try {
    process.kill(pid, sig);
  } catch {
    // gone between the check and the signal
  }
}

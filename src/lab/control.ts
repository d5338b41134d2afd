// Fault experiments and inspection: `lab kill`, `lab restart`, `lab logs`, `lab exec`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inCgroupArgv, nodeCgroup } from './kubelet/cgroup.js';
import { findComponent, markerOf } from './components.js';
import { markStopped, signalGroup, sleep, stopProcess } from './procs.js';
import { requireRoot } from './root.js';
import { logFile, runningPid } from './supervisor.js';
import { hostByName } from './topology.js';
import { supervisorPid } from './up.js';

/** SIGKILL, like a crashed process, and tell the supervisor to leave it down. */
export async function labKill(component: string, host: string | undefined, say: (s: string) => void) {
  requireRoot('kill');
  const c = findComponent(component, host);
  markStopped(c.id, true);
  const pid = runningPid(c);
  if (pid === undefined) {
    say(`${c.id} was not running; it stays down until \`waggle lab restart ${c.component} ${c.host}\``);
    return;
  }
  // The whole process group, like a crashed container: the agent and its `ip monitor` at once.
  signalGroup(pid, 'SIGKILL');
  await stopProcess(pid, markerOf(c), 'SIGKILL', 3000);
  say(`${c.id} pid ${pid} killed (SIGKILL); the supervisor leaves it down`);
}

/** Stops the component if it runs and waits for the supervisor to start a fresh one. */
export async function labRestart(component: string, host: string | undefined, say: (s: string) => void) {
  requireRoot('restart');
  const c = findComponent(component, host);
  if (supervisorPid() === undefined)
    throw new Error('lab restart: the supervisor is not running; run `waggle lab up`');
  const old = runningPid(c);
  if (old !== undefined) await stopProcess(old, markerOf(c), 'SIGTERM', 5000);
  markStopped(c.id, false);
  for (let i = 0; i < 100; i++) {
    const pid = runningPid(c);
    if (pid !== undefined && pid !== old) {
      say(`${c.id} restarted: pid ${pid}${old !== undefined ? ` (was ${old})` : ''}`);
      return;
    }
    await sleep(100);
  }
  throw new Error(
    `lab restart: ${c.id} did not start within 10 s (see \`waggle lab logs ${c.component} ${c.host}\`)`,
  );
}

export function labLogs(component: string, host: string | undefined, tail: number | undefined): string {
  const c = findComponent(component, host);
  const file = logFile(c);
  if (!existsSync(file)) throw new Error(`lab logs: ${c.id}: no log yet at ${file}`);
  const text = readFileSync(file, 'utf8');
  if (tail === undefined) return text;
  return `${text
    .split('\n')
    .slice(-tail - 1)
    .join('\n')}`;
}

/** Runs a command inside a lab host, attached to this terminal; returns its exit code. */
export function labExec(host: string, argv: string[]): number {
  requireRoot('exec');
  const h = hostByName(host);
  if (argv.length === 0) throw new Error('lab exec: no command given (usage: waggle lab exec HOST -- CMD…)');
  // In the node's cgroup subtree, as a node's own processes are in a real cluster.
  const cg = nodeCgroup(h.name);
  mkdirSync(join(cg, 'exec'), { recursive: true });
  const full = inCgroupArgv(join(cg, 'exec'), ['ip', 'netns', 'exec', h.netns, ...argv]);
  const res = spawnSync(full[0] as string, full.slice(1), { stdio: 'inherit' });
  if (res.error) throw new Error(`lab exec ${host}: ${res.error.message}`);
  return res.status ?? 1;
}

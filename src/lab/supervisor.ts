// The supervisor: one detached process (`waggle lab supervise`) that keeps every lab component
// running. It is level-triggered: every tick it looks at each component's pid file and /proc and
// starts whatever should run and does not, unless `lab kill` marked it stopped. A component that
// keeps crashing is restarted with a growing delay so a broken build does not spin.
// Children that outlive a crashed supervisor are adopted by the next one through their pid files.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Component, loadComponents, markerOf } from './components.js';
import { LOG_DIR } from './paths.js';
import { isOurs, isStopped, pidFile, readPid, signalGroup, sleep, stopProcess, writePid } from './procs.js';

const TICK_MS = 200;
const MIN_DELAY_MS = 200;
const MAX_DELAY_MS = 8000;
/** A run shorter than this counts as a crash loop and doubles the restart delay. */
const HEALTHY_RUN_MS = 10_000;

interface Slot {
  component: Component;
  startedAt: number;
  nextStartAt: number;
  delayMs: number;
  /** Our child has been spawned and its exit not yet seen. A SIGKILLed child is a zombie (no
   * cmdline in /proc) until Node reaps it, so /proc alone would call it gone and start a second. */
  live: boolean;
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

export function logFile(c: Component): string {
  return join(LOG_DIR, `${c.id}.log`);
}

export function runningPid(c: Component): number | undefined {
  const pid = readPid(pidFile(c.id));
  return pid !== undefined && isOurs(pid, markerOf(c)) ? pid : undefined;
}

function start(slot: Slot): void {
  const c = slot.component;
  mkdirSync(LOG_DIR, { recursive: true });
  for (const f of c.staleFiles) rmSync(f, { force: true });
  const fd = openSync(logFile(c), 'a');
  appendFileSync(fd, `--- ${new Date().toISOString()} supervisor: starting ${c.argv.join(' ')}\n`);
  // `ip netns exec` and nsenter exec the command, so the child's pid is the component's own pid; detached
  // makes it the leader of its own process group, which signalGroup uses to clean up after it.
  const [cmd, ...args] = c.hostMounts
    ? ['nsenter', `--net=/run/netns/${c.netns}`, '--', ...c.argv]
    : ['ip', 'netns', 'exec', c.netns, ...c.argv];
  const child = spawn(cmd as string, args, {
    cwd: c.cwd,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  slot.startedAt = Date.now();
  if (child.pid === undefined) {
    log(`${c.id}: spawn failed`);
    return;
  }
  writePid(pidFile(c.id), child.pid);
  slot.live = true;
  log(`${c.id}: started pid ${child.pid}`);
  child.on('error', (err) => log(`${c.id}: ${err.message}`));
  child.on('exit', (code, signal) => {
    slot.live = false;
    // Only our own pid file: `lab restart` may already have recorded a successor.
    if (readPid(pidFile(c.id)) === child.pid) rmSync(pidFile(c.id), { force: true });
    if (child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'))
      log(`${c.id}: its leftover helpers killed`);
    const ran = Date.now() - slot.startedAt;
    log(`${c.id}: pid ${child.pid} exited (${signal ?? `code ${code}`}) after ${ran} ms`);
    appendFileSync(
      logFile(c),
      `--- ${new Date().toISOString()} supervisor: exited (${signal ?? `code ${code}`})\n`,
    );
    slot.delayMs = ran < HEALTHY_RUN_MS ? Math.min(slot.delayMs * 2, MAX_DELAY_MS) : MIN_DELAY_MS;
    slot.nextStartAt = Date.now() + slot.delayMs;
  });
}

/** Runs until SIGTERM/SIGINT, then stops every component it knows and exits. */
export async function supervise(): Promise<void> {
  const slots: Slot[] = loadComponents().map((component) => ({
    component,
    startedAt: 0,
    nextStartAt: 0,
    delayMs: MIN_DELAY_MS / 2,
    live: false,
  }));
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log(`supervisor pid ${process.pid}: ${slots.map((s) => s.component.id).join(', ')}`);
  while (!stopping) {
    for (const slot of slots) {
      const c = slot.component;
      if (slot.live || runningPid(c) !== undefined || isStopped(c.id) || Date.now() < slot.nextStartAt)
        continue;
      start(slot);
    }
    await sleep(TICK_MS);
  }
  log('supervisor: stopping components');
  // Agents and the operator first (together: each takes a moment to release its leases and
  // close), etcd last, so nothing loses its store while shutting down.
  const stopAll = (list: Slot[]) =>
    Promise.all(
      list.map(async (slot) => {
        const pid = runningPid(slot.component);
        if (pid !== undefined) await stopProcess(pid, markerOf(slot.component), 'SIGTERM', 3000);
        rmSync(pidFile(slot.component.id), { force: true });
      }),
    );
  await stopAll(slots.filter((s) => s.component.component !== 'etcd'));
  await stopAll(slots.filter((s) => s.component.component === 'etcd'));
  log('supervisor: stopped');
}

// One HAProxy in master-worker mode (`-W -S <master socket>`), supervised: started with the
// config in hand, restarted with backoff when it dies, reloaded with SIGUSR2 (the master re-execs
// and its new worker takes the listening sockets from the old one through the admin socket's
// `expose-fd listeners`, so no connection is refused during a reload; the old worker finishes
// its requests), stopped with SIGTERM then SIGKILL after a bound. See HAProxy's management guide,
// section "Master-worker" (docs.haproxy.org/2.6/management.html).
//
// The proxy outlives a crashed agent, as cilium-envoy outlives cilium-agent: it runs in a process
// group of its own (a SIGKILL of the agent's group leaves it serving with its last config) and a
// restarted agent adopts it from its pid file — the master's pid, whose command line names our
// config — instead of starting a second one on the same ports. An adopted master is watched by
// polling; a normal agent stop still stops it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const STOP_MS = 2000;
const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 10_000;
const ADOPTED_POLL_MS = 1000;

/** The master pid in `pidFile` if it is alive and runs `configPath`, else undefined. */
export function runningMaster(pidFile: string, configPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.includes(configPath) && cmd.includes('-W') ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface HaproxyProcessOptions {
  binary: string;
  configPath: string;
  masterSocket: string;
  pidFile: string;
  log(msg: string): void;
}

/** `haproxy -c`: the config's first error lines, or undefined when it is valid. */
export async function checkHaproxyConfig(binary: string, path: string): Promise<string | undefined> {
  try {
    await run(binary, ['-c', '-q', '-f', path], { timeout: 10_000 });
    return undefined;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const text = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim() || e.message;
    return (
      text
        .split('\n')
        .filter((l) => /ALERT|error/i.test(l))
        .slice(0, 5)
        .join(' | ') || text.slice(0, 500)
    );
  }
}

export class HaproxyProcess {
  #child: ChildProcess | undefined;
  /** A master an earlier agent started, found running at start. */
  #adopted: number | undefined;
  #poll: NodeJS.Timeout | undefined;
  #stopping = false;
  #backoff = BACKOFF_MIN_MS;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  restarts = 0;

  constructor(private readonly o: HaproxyProcessOptions) {}

  get pid(): number | undefined {
    return this.#adopted ?? this.#child?.pid;
  }

  /** Adopts the master an earlier agent left running (true), if there is one. */
  adopt(): boolean {
    const pid = runningMaster(this.o.pidFile, this.o.configPath);
    if (pid === undefined) return false;
    this.#adopted = pid;
    this.o.log(`haproxy: adopted the running master (pid ${pid}) of an earlier agent`);
    this.#poll = setInterval(() => {
      if (this.#adopted === undefined || alive(this.#adopted)) return;
      this.o.log(`haproxy: the adopted master (pid ${this.#adopted}) is gone; starting a new one`);
      this.#adopted = undefined;
      if (this.#poll) clearInterval(this.#poll);
      this.#poll = undefined;
      this.start();
    }, ADOPTED_POLL_MS);
    this.#poll.unref();
    return true;
  }

  start(): void {
    if (this.#stopping || this.#child || this.#adopted !== undefined) return;
    const args = ['-W', '-S', this.o.masterSocket, '-f', this.o.configPath, '-p', this.o.pidFile];
    // Its own process group, its output in a file: neither the agent's death nor a closed pipe
    // takes the proxy down with it.
    const logFd = openSync(`${this.o.pidFile}.log`, 'a', 0o600);
    const child = spawn(this.o.binary, args, { stdio: ['ignore', logFd, logFd], detached: true });
    closeSync(logFd);
    this.#child = child;
    this.#startedAt = Date.now();
    child.on('error', (err) => this.o.log(`haproxy: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#stopping) return;
      // A process that ran a while gets a fresh backoff; one that dies at once waits longer each time.
      if (Date.now() - this.#startedAt > 30_000) this.#backoff = BACKOFF_MIN_MS;
      this.o.log(`haproxy exited (${signal ?? `code ${code}`}); restarting in ${this.#backoff}ms`);
      this.#timer = setTimeout(() => {
        this.restarts++;
        this.start();
      }, this.#backoff);
      this.#backoff = Math.min(this.#backoff * 2, BACKOFF_MAX_MS);
    });
  }

  /** Hitless reload of the config file already in place (validated by the caller). */
  reload(): boolean {
    const pid = this.pid;
    if (!pid) return false;
    try {
      process.kill(pid, 'SIGUSR2');
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#poll) clearInterval(this.#poll);
    const adopted = this.#adopted;
    if (adopted !== undefined) {
      this.#adopted = undefined;
      signal(adopted, 'SIGTERM');
      for (let i = 0; i < STOP_MS / 50 && alive(adopted); i++) await new Promise((r) => setTimeout(r, 50));
      if (alive(adopted)) signal(adopted, 'SIGKILL');
      return;
    }
    const c = this.#child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(t);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

// One HAProxy in master-worker mode (`-W -S <master socket>`), supervised: started with the
// config in hand, restarted with backoff when it dies, reloaded with SIGUSR2 (the master re-execs
// and its new worker takes the listening sockets from the old one through the admin socket's
// `expose-fd listeners`, so no connection is refused during a reload; the old worker finishes
// its requests), stopped with SIGTERM then SIGKILL after a bound. See HAProxy's management guide,
// section "Master-worker" (docs.haproxy.org/2.6/management.html).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const STOP_MS = 2000;
const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 10_000;

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
  #stopping = false;
  #backoff = BACKOFF_MIN_MS;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  restarts = 0;

  constructor(private readonly o: HaproxyProcessOptions) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    if (this.#stopping || this.#child) return;
    const args = ['-W', '-S', this.o.masterSocket, '-f', this.o.configPath, '-p', this.o.pidFile];
    const child = spawn(this.o.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#startedAt = Date.now();
    const relay = (buf: Buffer) => {
      for (const line of buf.toString().split('\n')) if (line.trim()) this.o.log(`haproxy: ${line.trim()}`);
    };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
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
    const c = this.#child;
    if (!c?.pid) return false;
    c.kill('SIGUSR2');
    return true;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    const c = this.#child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(t);
  }
}

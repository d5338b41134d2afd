// A real etcd for tests and benchmarks: /usr/bin/etcd on free 127.0.0.1 ports with its data in
// a fresh temp dir. restart() stops and starts the same member (same ports, same data), for
// testing watch resume. Only the pid started here is ever signalled; stop() removes the dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestEtcd {
  /** host:port of the client endpoint. */
  endpoints: string[];
  /** etcd://127.0.0.1:PORT, for openStore() and the CLI's --store. */
  url: string;
  dataDir: string;
  /** etcd+unix:///… when started with `unixSocket`: reachable from any network namespace. */
  unixUrl: string;
  readonly pid: number;
  /** Stops etcd and removes its data. */
  stop(): Promise<void>;
  /** Stops and starts the same member (data kept). */
  restart(): Promise<void>;
  /** Stops the process, keeping its data, so clients see an outage; up() starts it again. */
  down(): Promise<void>;
  up(): Promise<void>;
}

/** A port the kernel just handed out on 127.0.0.1 (bind :0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(
  clientUrl: string,
  child: ChildProcess,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${clientUrl} not healthy after ${timeoutMs} ms: ${log()}`);
}

function stopChild(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startEtcd(opts: { timeoutMs?: number; unixSocket?: boolean } = {}): Promise<TestEtcd> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'waggle-etcd-'));
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  // etcd wants host:port form for a unix listener and makes it relative to its cwd: the socket
  // file is <dataDir>/etcd.sock:<port>. A socket is a file, so a test's network namespaces reach it.
  const socket = join(dataDir, `etcd.sock:${clientPort}`);
  const listen = opts.unixSocket ? `${clientUrl},unix://etcd.sock:${clientPort}` : clientUrl;
  const args = [
    '--name=waggle-test',
    `--data-dir=${join(dataDir, 'data')}`,
    `--listen-client-urls=${listen}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=waggle-test=${peerUrl}`,
    '--logger=zap',
    '--log-level=error',
  ];
  let child: ChildProcess | undefined;
  let stderr = '';
  const launch = async () => {
    stderr = '';
    rmSync(socket, { force: true }); // left behind by a stopped member; etcd will not bind over it
    const proc = spawn('/usr/bin/etcd', args, { cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    await waitHealthy(clientUrl, proc, opts.timeoutMs ?? 15_000, () =>
      stderr.trim().split('\n').slice(-3).join(' | '),
    );
  };
  try {
    await launch();
  } catch (err) {
    if (child) await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoints: [`127.0.0.1:${clientPort}`],
    url: `etcd://127.0.0.1:${clientPort}`,
    dataDir,
    unixUrl: opts.unixSocket ? `etcd+unix://${socket}` : '',
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      if (child) await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      if (child) await stopChild(child);
      await launch();
    },
    async down() {
      if (child) await stopChild(child);
    },
    async up() {
      await launch();
    },
  };
}

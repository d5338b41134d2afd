// The agent e2e lab: a "switch" namespace with two bridges (br0 carries 10.99.0.0/24 and the
// test's etcd, br1 a second L2 segment), two node namespaces and one client namespace, each with
// eth0 on br0 and eth1 on br1 — the seed's layout. Every link is created inside these
// namespaces; processes started here are tracked by pid and killed only by pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../../src/testing/exec.js';
import { TestNetns } from '../../src/testing/netns.js';

export interface LabNode {
  ns: TestNetns;
  name: string;
  host: number;
}

export class AgentLab {
  sw = TestNetns.create('sw');
  nodes: LabNode[] = [];
  client!: LabNode;
  procs = new Set<ChildProcess>();
  etcd: ChildProcess | undefined;
  etcdUrl = '';
  runDir = `/run/waggle-e2e-${process.pid}`;
  /**
   * The lab's own cgroup v2 subtree: each agent attaches socket LB to <cgroupRoot>/<node>, never
   * to the host's root cgroup; pods' processes are put in their node's directory. The hierarchy
   * is mounted again under /run because `ip netns exec` remounts /sys, hiding the host's cgroup2
   * mount from the agents. Undefined when that fails (the agents then run with --no-bpf-lb-sock).
   */
  readonly cgroupMount = `/run/waggle-e2e-cg-${process.pid}`;
  readonly cgroupRoot: string | undefined = (() => {
    try {
      mkdirSync(this.cgroupMount, { recursive: true });
      sh('mount', ['-t', 'cgroup2', 'none', this.cgroupMount]);
      const root = `${this.cgroupMount}/waggle-e2e-${process.pid}`;
      mkdirSync(root);
      return root;
    } catch {
      return undefined;
    }
  })();

  constructor() {
    for (const br of ['br0', 'br1']) {
      this.sw.ip('link', 'add', br, 'type', 'bridge');
      this.sw.ip('link', 'set', br, 'up');
    }
    this.sw.ip('addr', 'add', '10.99.0.254/24', 'dev', 'br0');
    mkdirSync(this.runDir, { recursive: true, mode: 0o700 });
  }

  addHost(name: string, host: number): LabNode {
    const ns = TestNetns.create('n');
    const node = { ns, name, host };
    ['eth0', 'eth1'].forEach((dev, i) => {
      const port = `p${host}${i}`;
      this.sw.ip('link', 'add', port, 'type', 'veth', 'peer', 'name', dev, 'netns', ns.name);
      this.sw.ip('link', 'set', port, 'master', `br${i}`, 'up');
      ns.ip('addr', 'add', `10.${99 - i}.0.${host}/24`, 'dev', dev);
      ns.ip('link', 'set', dev, 'up');
    });
    return node;
  }

  spawnIn(ns: TestNetns, cmd: string, args: string[], logTo?: (s: string) => void): ChildProcess {
    const p = spawn('ip', ['netns', 'exec', ns.name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout?.on('data', (d) => logTo?.(String(d)));
    p.stderr?.on('data', (d) => logTo?.(String(d)));
    this.procs.add(p);
    p.once('exit', () => this.procs.delete(p));
    return p;
  }

  async startEtcd(port: number): Promise<void> {
    const url = `http://10.99.0.254:${port}`;
    const peer = `http://127.0.0.1:${port + 1}`;
    rmSync(`${this.runDir}/etcd`, { recursive: true, force: true });
    this.etcd = this.spawnIn(this.sw, '/usr/bin/etcd', [
      '--name=e2e',
      `--data-dir=${this.runDir}/etcd`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=e2e=${peer}`,
      '--log-level=error',
      '--logger=zap',
    ]);
    this.etcdUrl = `etcd://10.99.0.254:${port}`;
    for (let i = 0; i < 100; i++) {
      const r = this.sw.exec('etcdctl', [`--endpoints=${url}`, 'endpoint', 'health'], {
        allowFail: true,
        timeoutMs: 3000,
      });
      if (r.code === 0) return;
      await sleep(100);
    }
    throw new Error('etcd in the lab did not become healthy');
  }

  /** A store operation through agent-store-cli.js inside the switch namespace. */
  store(op: string, ...args: string[]): string {
    return this.sw.exec('node', ['dist/test/e2e/agent-store-cli.js', this.etcdUrl, op, ...args], {
      timeoutMs: 20_000,
    }).stdout;
  }

  kill(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
    if (p?.pid !== undefined && p.exitCode === null && p.signalCode === null) process.kill(p.pid, signal);
  }

  async destroy(): Promise<void> {
    for (const p of [...this.procs]) this.kill(p);
    await sleep(300);
    for (const n of [...this.nodes, this.client]) n?.ns.destroy();
    this.sw.destroy();
    sh('umount', [`${this.runDir}/bpffs`], { allowFail: true });
    rmSync(this.runDir, { recursive: true, force: true });
    if (this.cgroupRoot) removeCgroupTree(this.cgroupRoot);
    // Never a recursive remove here: below the mount is the host's whole cgroup hierarchy.
    if (sh('umount', [this.cgroupMount], { allowFail: true }).code === 0) rmdirSync(this.cgroupMount);
  }
}

/** rmdir of a cgroup subtree, deepest first (cgroupfs refuses rm -r; a cgroup with a process stays). */
export function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir)) {
    const sub = join(dir, e);
    if (statSync(sub).isDirectory()) removeCgroupTree(sub);
  }
  try {
    rmdirSync(dir);
  } catch (err) {
    console.error(`lab: cannot remove cgroup ${dir}: ${(err as Error).message}`);
  }
}

/** Short test timings (ms): failover in seconds, not the 15 s default. */
export const TEST_TIMINGS = { lease: 3000, renew: 1000, retry: 200 };

/** `waggle agent` argv for a lab node: pins on the lab's bpffs, socket in the lab's run dir. */
/** The agents' --map-sample-interval in tests; wait this long (plus a margin) before a scrape. */
export const MAP_SAMPLE_MS = 100;

export function agentArgv(lab: AgentLab, name: string, extra: string[] = []): string[] {
  const T = TEST_TIMINGS;
  return [
    'bin/waggle.js',
    '--store',
    lab.etcdUrl,
    'agent',
    '--node',
    name,
    '--pin-dir',
    `${lab.runDir}/bpffs/${name}`,
    '--api-socket',
    `${lab.runDir}/${name}.sock`,
    '--l2-announcements-lease-duration',
    `${T.lease}ms`,
    '--l2-announcements-renew-deadline',
    `${T.renew}ms`,
    '--l2-announcements-retry-period',
    `${T.retry}ms`,
    '--agent-liveness-update-interval',
    '200ms',
    // Metrics read map occupancy from a sample; a short period lets tests scrape soon after a change.
    '--map-sample-interval',
    `${MAP_SAMPLE_MS}ms`,
    ...(lab.cgroupRoot ? ['--cgroup-root', `${lab.cgroupRoot}/${name}`] : ['--no-bpf-lb-sock']),
    ...extra,
  ];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every `everyMs` until it returns a value or `timeoutMs` passes (then undefined). */
export async function waitFor<T>(
  fn: () => T | undefined,
  timeoutMs: number,
  everyMs = 100,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    await sleep(everyMs);
  }
  return undefined;
}

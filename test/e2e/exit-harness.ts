// Driver for exit-time.test.ts: a real etcd (TCP for the operator, its unix socket for the agent,
// which lives in a test network namespace), the real `waggle operator` / `waggle agent`
// processes, and the three store states a shutdown can meet: up, down (process stopped, data
// kept) and stalled (SIGSTOP: connections stay open and nothing answers).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { EtcdStore } from '../../src/store/index.js';
import { tempBpffs, type TempBpffs } from '../../src/testing/bpffs.js';
import { startEtcd, type TestEtcd } from '../../src/testing/etcd.js';
import { vethPair } from '../../src/testing/netns.js';
import { fetchStatus } from '../../src/agent/api-client.js';
import { seedPolicy } from './agent-harness.js';

const VIP = '10.77.0.100';

export type StoreState = 'up' | 'down' | 'stalled';
export type Kind = 'operator' | 'agent';

export interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class ExitHarness {
  etcd!: TestEtcd;
  store!: EtcdStore;
  bpffs: TempBpffs | undefined;
  net: ReturnType<typeof vethPair> | undefined;
  runDir = mkdtempSync('/run/waggle-exit-');
  children = new Set<ChildProcess>();
  state: StoreState = 'up';

  get socket(): string {
    return `${this.runDir}/agent.sock`;
  }

  async setUp(): Promise<void> {
    this.etcd = await startEtcd({ unixSocket: true });
    this.store = new EtcdStore({ endpoints: this.etcd.endpoints });
    this.bpffs = tempBpffs();
    this.net = vethPair({ addrA: '10.77.0.1/24', addrB: '10.77.0.2/24' });
    // A lease the agent holds, so its shutdown has a release to do against the store.
    await this.store.create(seedPolicy('exit-policy', ['^veth0$']) as never);
    // externalIPs, not a LoadBalancer ingress: the operator tests run against the same store and
    // LB-IPAM (with no pool) would clear an ingress IP it did not assign.
    await this.store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'ClusterIP', externalIPs: [VIP], ports: [{ port: 80, protocol: 'TCP' }] },
    });
  }

  argv(kind: Kind): string[] {
    if (kind === 'operator')
      return [
        process.execPath,
        'bin/waggle.js',
        '--store',
        this.etcd.url,
        'operator',
        '--metrics-addr',
        '127.0.0.1:0',
      ];
    if (!this.net || !this.bpffs) throw new Error('exit harness: setUp() not run');
    return [
      'ip',
      'netns',
      'exec',
      this.net.a.name,
      process.execPath,
      'bin/waggle.js',
      '--store',
      this.etcd.unixUrl,
      'agent',
      '--node',
      'exit-node',
      '--devices',
      'veth0',
      '--pin-dir',
      `${this.bpffs.dir}/exit-node`,
      '--api-socket',
      this.socket,
      // Socket LB would attach to the host's cgroup2 root; this harness is about exit times.
      '--no-bpf-lb-sock',
    ];
  }

  start(kind: Kind): Running {
    const [cmd = '', ...args] = this.argv(kind);
    let out = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    this.children.add(child);
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        this.children.delete(child);
        resolve({ code, signal });
      }),
    );
    return { child, output: () => out, exit };
  }

  /** Resolves once `pattern` shows in the output; throws (with the output) after timeoutMs. */
  async waitOutput(r: Running, pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(r.output())) {
      if (Date.now() > deadline || r.child.exitCode !== null || r.child.signalCode !== null)
        throw new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${r.output()}`);
      await sleep(50);
    }
  }

  /** Resolves once the agent's API says it leads the test service's lease. */
  async waitLeading(r: Running, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = await fetchStatus(this.socket).catch(() => undefined);
      if (st?.l2.initialSyncDone && st.l2.leases.some((l) => l.leading)) return;
      if (Date.now() > deadline || r.child.exitCode !== null || r.child.signalCode !== null)
        throw new Error(`agent not leading within ${timeoutMs} ms; output:\n${r.output()}`);
      await sleep(100);
    }
  }

  async setState(state: StoreState): Promise<void> {
    if (state === this.state) return;
    if (this.state === 'stalled') process.kill(this.etcd.pid, 'SIGCONT');
    if (this.state === 'down') await this.etcd.up();
    if (state === 'down') await this.etcd.down();
    if (state === 'stalled') process.kill(this.etcd.pid, 'SIGSTOP');
    this.state = state;
  }

  /** Signals `r` and measures until it exits; SIGKILLs it after capMs (then elapsed = capMs+). */
  async signalAndTime(r: Running, signal: NodeJS.Signals, capMs = 20_000) {
    const t0 = performance.now();
    r.child.kill(signal);
    const cap = setTimeout(() => r.child.kill('SIGKILL'), capMs);
    const how = await r.exit;
    clearTimeout(cap);
    return { ms: Math.round(performance.now() - t0), ...how };
  }

  async destroy(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    if (this.state === 'stalled') process.kill(this.etcd.pid, 'SIGCONT');
    this.state = 'up';
    await this.store?.close();
    await this.etcd?.stop();
    this.net?.destroy();
    this.bpffs?.cleanup();
    rmSync(this.runDir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

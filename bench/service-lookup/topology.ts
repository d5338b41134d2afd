// One variant's client ⇄ node ⇄ server namespaces, the same addresses in every copy: the
// client 10.10.0.2 routes everything via the node (10.10.0.1 | 10.20.0.1, forwarding on), the
// server holds both endpoint addresses 10.20.0.2 and .3. Rules are loaded only in the node.
// Client and server run pinned (taskset) to the same CPU by default, in every variant: on this
// VM an idle vCPU halts (cpuidle haltpoll with guest_halt_poll_ns=0: no guest-side polling), so
// with the two on different CPUs every cross-CPU wake-up is a HLT exit whose return time the
// host decides, and the rates swung between two levels for every variant (docs/benchmarks.md
// §8). On one CPU that never idles during a run, a rate is the CPU work per connection.
import { type ChildProcess, spawn } from 'node:child_process';
import { sh, shAsync } from '../../src/testing/exec.js';
import { TestNetns } from '../../src/testing/netns.js';

export const BACKENDS = [
  { ip: '10.20.0.2', port: 8080 },
  { ip: '10.20.0.3', port: 8080 },
];
export const CLIENT_CPU = '0';
/** `split` (server on CPU 1) is the method of the first runs, kept to reproduce them. */
export const serverCpu = (mode: 'same' | 'split') => (mode === 'same' ? CLIENT_CPU : '1');

export class Topology {
  readonly client: TestNetns;
  readonly node: TestNetns;
  readonly server: TestNetns;
  #srv: ChildProcess | undefined;

  constructor(readonly variant: string) {
    const made: TestNetns[] = [];
    try {
      this.client = TestNetns.create('slc');
      made.push(this.client);
      this.node = TestNetns.create('sln');
      made.push(this.node);
      this.server = TestNetns.create('sls');
      made.push(this.server);
      const n = this.node;
      n.ip('link', 'add', 'n0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.client.name);
      n.ip('link', 'add', 'n1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.server.name);
      n.ip('addr', 'add', '10.10.0.1/24', 'dev', 'n0');
      n.ip('addr', 'add', '10.20.0.1/24', 'dev', 'n1');
      this.client.ip('addr', 'add', '10.10.0.2/24', 'dev', 'eth0');
      for (const b of BACKENDS) this.server.ip('addr', 'add', `${b.ip}/24`, 'dev', 'eth0');
      for (const [ns, dev] of [
        [n, 'n0'],
        [n, 'n1'],
        [this.client, 'eth0'],
        [this.server, 'eth0'],
      ] as const)
        ns.ip('link', 'set', dev, 'up');
      this.client.ip('route', 'add', 'default', 'via', '10.10.0.1');
      this.server.ip('route', 'add', 'default', 'via', '10.20.0.1');
      n.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    } catch (err) {
      for (const ns of made) ns.destroy();
      throw err;
    }
  }

  /** Starts the echo server pinned to `cpu`; resolves once it listens. */
  async startServer(bin: string, boundSeconds: number, cpu: string): Promise<void> {
    const p = spawn(
      'ip',
      ['netns', 'exec', this.server.name, 'taskset', '-c', cpu, bin, '8080', String(boundSeconds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.#srv = p;
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${this.variant}: server did not start`)), 5000);
      p.stdout?.once('data', () => {
        clearTimeout(t);
        res();
      });
      p.once('exit', (c) => rej(new Error(`${this.variant}: server exited ${c}`)));
    });
  }

  /** Flushes the node's conntrack table (empty for variants without netfilter NAT). */
  flushConntrack(): void {
    this.node.exec('conntrack', ['-F'], { allowFail: true });
  }

  conntrackCount(): number {
    return Number(this.node.exec('conntrack', ['-C'], { allowFail: true }).stdout.trim() || 0);
  }

  /** Runs the client on the client's CPU, optionally inside `cgroup` (socket LB's). */
  async runClient(bin: string, args: string[], cgroup?: string): Promise<string> {
    const inner = ['ip', 'netns', 'exec', this.client.name, 'taskset', '-c', CLIENT_CPU, bin, ...args];
    const r = cgroup
      ? await shAsync('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, ...inner], 60_000)
      : await shAsync(inner[0] as string, inner.slice(1), 60_000);
    if (r.code !== 0) throw new Error(`${this.variant}: client ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /**
   * Loads a ruleset from stdin with `cmd` in the node; returns the milliseconds it took. A load
   * over `timeoutMs` throws, so the run still cleans up (a killed bench would leave namespaces).
   */
  load(cmd: string, args: string[], input: string, timeoutMs = 900_000): number {
    const t0 = process.hrtime.bigint();
    sh('ip', ['netns', 'exec', this.node.name, cmd, ...args], { input, timeoutMs });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }

  exec(cmd: string, args: string[]): void {
    sh('ip', ['netns', 'exec', this.node.name, cmd, ...args], { allowFail: true, timeoutMs: 300_000 });
  }

  destroy(): void {
    if (this.#srv?.pid !== undefined && this.#srv.exitCode === null) this.#srv.kill('SIGKILL');
    this.client.destroy();
    this.node.destroy();
    this.server.destroy();
  }
}

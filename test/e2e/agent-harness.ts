// Shared driver for the agent acceptance tests (agent-*.test.ts): builds the AgentLab (two nodes,
// one client, etcd in the switch namespace, a private bpffs), starts agents as child processes
// with short lease timings, and reads what they do through the same interfaces a user has — the
// store, the agent API socket, arping and tcpdump in the client's namespace, /metrics.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fetchStatus } from '../../src/agent/api-client.js';
import type { AgentStatus } from '../../src/agent/status.js';
import { sh } from '../../src/testing/exec.js';
import { AgentLab, agentArgv, type LabNode, sleep, TEST_TIMINGS, waitFor } from './agent-lab.js';

export const VIP = '10.0.10.0';
/** Short timings (lease 3 s, renew deadline 1 s, retry 200 ms) keep the suite quick. */
export const T = TEST_TIMINGS;
export const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

export const leaseOf = (svc: string, ns = 'default') => `waggle-l2announce-${ns}-${svc}`;

export const seedPolicy = (name: string, interfaces: string[]) => ({
  apiVersion: 'cilium.io/v2alpha1',
  kind: 'CiliumL2AnnouncementPolicy',
  metadata: { name },
  spec: {
    nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE, operator: 'DoesNotExist' }] },
    interfaces,
    externalIPs: true,
    loadBalancerIPs: true,
  },
});

export const lbService = (name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  status: { loadBalancer: { ingress: [{ ip }] } },
});

export interface LeaseSpec {
  holderIdentity?: string;
  leaseTransitions?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
}

export class AgentHarness {
  lab = new AgentLab();
  logs = new Map<string, string>();
  agents = new Map<string, ChildProcess>();
  tcpdump = '';

  /** Nodes "node-a" (.1) and "node-b" (.2), a client (.100), etcd, tcpdump on the client. */
  async setUp(etcdPortBase: number): Promise<void> {
    const lab = this.lab;
    lab.nodes.push(lab.addHost('node-a', 1), lab.addHost('node-b', 2));
    lab.client = lab.addHost('client', 100);
    mkdirSync(`${lab.runDir}/bpffs`, { recursive: true });
    sh('mount', ['-t', 'bpf', 'bpf', `${lab.runDir}/bpffs`]);
    await lab.startEtcd(etcdPortBase + ((process.pid * 2) % 10_000));
    lab.spawnIn(lab.client.ns, 'tcpdump', ['-n', '-l', '-i', 'any', 'arp'], (s) => {
      this.tcpdump += s;
    });
    await waitFor(() => this.tcpdump.includes('listening on') || undefined, 5000);
  }

  node(name: string): LabNode {
    const n = this.lab.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no lab node ${name}`);
    return n;
  }

  socket(name: string): string {
    return `${this.lab.runDir}/${name}.sock`;
  }

  startAgent(name: string, extra: string[] = []): ChildProcess {
    const n = this.node(name);
    const args = agentArgv(this.lab, name, extra);
    const p = this.lab.spawnIn(n.ns, 'node', args, (s) =>
      this.logs.set(name, (this.logs.get(name) ?? '') + s),
    );
    this.agents.set(name, p);
    return p;
  }

  /** Resolves when the agent process has exited (immediately if it already has). */
  exited(p: ChildProcess): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((r) => p.once('exit', () => r()));
  }

  lease(svc = 'web'): LeaseSpec | null {
    const got = JSON.parse(this.lab.store('get', 'Lease', leaseOf(svc), 'kube-system') || 'null');
    return got ? ((got.spec ?? {}) as LeaseSpec) : null;
  }

  holder(svc = 'web'): string {
    return this.lease(svc)?.holderIdentity ?? '';
  }

  put(obj: unknown): void {
    this.lab.store('put', JSON.stringify(obj));
  }

  /** Replaces a Node's labels in the store (as `kubectl label` would). */
  setNodeLabels(name: string, change: (labels: Record<string, string>) => Record<string, string>): void {
    const node = JSON.parse(this.lab.store('get', 'Node', name) || 'null');
    if (!node) throw new Error(`Node ${name} not in the store`);
    node.metadata.labels = change({ ...(node.metadata.labels ?? {}) });
    this.put(node);
  }

  status(name: string): Promise<AgentStatus> {
    return fetchStatus(this.socket(name));
  }

  /** One `waggle` CLI call against an agent's socket (inside the test's own namespace). */
  cli(name: string, ...args: string[]): string {
    return sh('node', ['bin/waggle.js', ...args, '--api-socket', this.socket(name)]).stdout;
  }

  /** The MAC answering ARP for `ip` on the client's `dev`, or '' if nobody answers. */
  async arping(dev: string, waitSec = 1, ip = VIP): Promise<string> {
    const r = await this.lab.client.ns.execAsync(
      'arping',
      ['-c', '1', '-w', String(waitSec), '-I', dev, ip],
      5000,
    );
    return /bytes from ([0-9a-f:]{17})/.exec(r.stdout)?.[1] ?? '';
  }

  /** Retries arping until an answer arrives (or `tries` run out). */
  async arpingUntilAnswer(dev: string, tries = 20, ip = VIP): Promise<string> {
    let got = '';
    for (let i = 0; i < tries && got === ''; i++) got = await this.arping(dev, 1, ip);
    return got;
  }

  /** Prometheus text from the agent's --metrics-addr (scraped inside its namespace). */
  scrape(name: string, port: number): string {
    return this.node(name).ns.exec('curl', ['-sf', '--max-time', '5', `http://127.0.0.1:${port}/metrics`], {
      timeoutMs: 8000,
    }).stdout;
  }

  dump(): string {
    return [...this.logs].map(([n, l]) => `--- ${n}\n${l.slice(-4000)}`).join('\n');
  }

  async destroy(): Promise<void> {
    await this.lab.destroy();
  }
}

/** The value of one sample (`name{labels} value`) in Prometheus text, or undefined. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** waitFor for an async probe: polls until it resolves to a value, or undefined at the deadline. */
export async function waitForAsync<V>(
  fn: () => Promise<V | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<V | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    await sleep(everyMs);
  }
  return undefined;
}

export { sleep, waitFor };

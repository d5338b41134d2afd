// The endpoints e2e lab: one or two node namespaces (AgentLab), etcd, agents started with pod
// IPAM from the Node's spec.podCIDRs, and pods as network namespaces made by the test and
// attached through waggle-cni exactly as a runtime calls it (cni-runtime.ts).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fetchJson } from '../../src/agent/api-client.js';
import type { EndpointsReply } from '../../src/endpoints/module.js';
import { sh } from '../../src/testing/exec.js';
import { TestNetns } from '../../src/testing/netns.js';
import { AgentLab, agentArgv, type LabNode, sleep } from './agent-lab.js';
import { type Attachment, callPlugin, type PluginCall } from './cni-runtime.js';

export const CNI_BIN = `${process.cwd()}/bin/waggle-cni`;
export const UPSTREAM_CNI = '/usr/lib/cni';

export interface Pod {
  ns: TestNetns;
  att: Attachment;
  result?: CniResult;
}

export interface CniResult {
  cniVersion: string;
  interfaces: Array<{ name: string; mac: string; sandbox?: string }>;
  ips: Array<{ address: string; gateway: string; interface: number; version?: string }>;
  routes: Array<{ dst: string; gw?: string }>;
}

export class PodLab {
  readonly lab = new AgentLab();
  readonly agents = new Map<string, ChildProcess>();
  readonly nodes = new Map<string, { node: LabNode; cidr: string; extra: string[] }>();
  readonly pods: Pod[] = [];
  logs = new Map<string, string>();
  #seq = 0;

  async start(etcdPort: number): Promise<void> {
    // The agents' pins live on a bpffs of the lab's own (lab.destroy() unmounts it).
    mkdirSync(`${this.lab.runDir}/bpffs`, { recursive: true });
    sh('mount', ['-t', 'bpf', 'bpf', `${this.lab.runDir}/bpffs`]);
    await this.lab.startEtcd(etcdPort);
  }

  /**
   * A node; with a `cidr`, its Node object carries it as spec.podCIDRs (as kube-controller-manager
   * sets it, for --ipam kubernetes); without, the node's agent registers its Node itself.
   */
  addNode(name: string, host: number, cidr: string | undefined, extra: string[] = []): LabNode {
    const node = this.lab.addHost(name, host);
    this.lab.nodes.push(node);
    this.nodes.set(name, { node, cidr: cidr ?? '', extra });
    if (cidr)
      this.lab.store(
        'put',
        JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDRs: [cidr] } }),
      );
    return node;
  }

  /** The network namespace node `name`'s agent runs in. */
  nodeNs(name: string): string {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n.node.ns.name;
  }

  socket(name: string): string {
    return `${this.lab.runDir}/${name}.sock`;
  }

  stateDir(name: string): string {
    return `${this.lab.runDir}/state/${name}`;
  }

  /** Starts (or restarts) node `name`'s agent; `once` adds flags to this run only. */
  async startAgent(name: string, once: string[] = []): Promise<void> {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    const args = agentArgv(this.lab, name, [
      '--devices',
      'eth1',
      ...(n.cidr ? ['--ipam', 'kubernetes'] : ['--ipam', 'cluster-pool']),
      '--state-dir',
      this.stateDir(name),
      ...n.extra,
      ...once,
    ]);
    this.logs.set(name, `${this.logs.get(name) ?? ''}--- agent start\n`);
    const p = this.lab.spawnIn(n.node.ns, 'node', args, (s) =>
      this.logs.set(name, (this.logs.get(name) ?? '') + s),
    );
    this.agents.set(name, p);
    if (!(await healthy(this.socket(name), 30_000)))
      throw new Error(`agent ${name} not ready:\n${this.logs.get(name)}`);
  }

  killAgent(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.agents.get(name);
    this.agents.delete(name);
    if (!p || p.exitCode !== null) return Promise.resolve();
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    this.lab.kill(p, signal);
    return gone;
  }

  endpoints(name: string): Promise<EndpointsReply> {
    return fetchJson<EndpointsReply>(this.socket(name), '/v1/endpoints');
  }

  /** A pod: its own network namespace, not yet attached. */
  newPod(podName?: string, namespace = 'default'): Pod {
    const ns = TestNetns.create('p');
    this.#seq += 1;
    const containerId = `c${process.pid}x${String(this.#seq).padStart(8, '0')}`;
    const att: Attachment = {
      containerId,
      netns: `/run/netns/${ns.name}`,
      ifname: 'eth0',
      ...(podName ? { args: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${podName}` } : {}),
    };
    const pod = { ns, att };
    this.pods.push(pod);
    return pod;
  }

  netconf(name: string, version = '1.0.0', extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      cniVersion: version,
      name: 'waggle',
      type: 'waggle-cni',
      'socket-path': this.socket(name),
      ...extra,
    };
  }

  cni(
    node: string,
    command: string,
    att: Attachment,
    config: unknown,
    env: Record<string, string | undefined> = {},
  ): Promise<PluginCall> {
    const n = this.nodes.get(node);
    return callPlugin({
      path: CNI_BIN,
      cniPath: `${process.cwd()}/bin:${UPSTREAM_CNI}`,
      command,
      att,
      config,
      env,
      ...(n ? { nodeNetns: n.node.ns.name } : {}),
    });
  }

  async add(node: string, pod: Pod, version = '1.0.0'): Promise<CniResult> {
    const r = await this.cni(node, 'ADD', pod.att, this.netconf(node, version));
    if (r.code !== 0) throw new Error(`ADD failed (${r.code}): ${r.stdout} ${r.stderr}`);
    pod.result = r.json as CniResult;
    return pod.result;
  }

  async del(node: string, pod: Pod): Promise<PluginCall> {
    return this.cni(node, 'DEL', pod.att, this.netconf(node));
  }

  podIp(pod: Pod): string {
    const a = pod.result?.ips[0]?.address;
    if (!a) throw new Error('pod has no address');
    return a.split('/')[0] as string;
  }

  async destroy(): Promise<void> {
    for (const name of [...this.agents.keys()]) await this.killAgent(name, 'SIGTERM');
    // The agents' logs, for a failed run (kept outside the lab's run dir, which goes).
    if (process.env.WAGGLE_E2E_LOGS)
      for (const [name, text] of this.logs) writeFileSync(`${process.env.WAGGLE_E2E_LOGS}/${name}.log`, text);
    await sleep(200);
    for (const p of this.pods) p.ns.destroy();
    await this.lab.destroy();
  }
}

/** Polls the agent's /v1/healthz (endpoints ready) until it answers or the time is up. */
export async function healthy(socket: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetchJson(socket, '/v1/healthz', 1000);
      return true;
    } catch {
      await sleep(100);
    }
  }
  return false;
}

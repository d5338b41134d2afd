// The bench's cluster: a real etcd (src/testing/etcd.ts, listening on loopback and on a unix
// socket, so the bench writes to it directly and an agent in its own network namespace reaches
// it through the file) and real agents, each on a fresh lab node (test/e2e/pod-lab.ts) with its
// own pin dir, so every agent starts with empty service maps. One agent runs at a time.
import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import type { AnyObject } from '../../src/api/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type TestEtcd, startEtcd } from '../../src/testing/etcd.js';
import { sh } from '../../src/testing/exec.js';
import { agentArgv } from '../../test/e2e/agent-lab.js';
import { healthy, PodLab } from '../../test/e2e/pod-lab.js';

export const METRICS_PORT = 9962;
/** 30k services × (master + 2 slots) = 90k rows: above the agent's 64k default (Cilium's too). */
export const LB_MAP_MAX = 131072;

export interface RunningAgent {
  name: string;
  pid: number;
  /** process.hrtime.bigint() just before the spawn. */
  spawnedAt: bigint;
  /** When /v1/healthz first answered. */
  healthyAt: bigint;
  pinDir: string;
}

export class ControlPlaneLab {
  readonly pods = new PodLab();
  etcd: TestEtcd | undefined;
  store: Store | undefined;
  #host = 20;

  async start(): Promise<Store> {
    const runDir = this.pods.lab.runDir;
    mkdirSync(`${runDir}/bpffs`, { recursive: true });
    sh('mount', ['-t', 'bpf', 'bpf', `${runDir}/bpffs`]);
    this.etcd = await startEtcd({ unixSocket: true });
    this.pods.lab.etcdUrl = this.etcd.unixUrl;
    this.store = openStore(this.etcd.url);
    return this.store;
  }

  /** Creates `objects` with `parallel` writes in flight; returns the wall time in ms. */
  async createAll(objects: AnyObject[], parallel = 64): Promise<number> {
    const store = this.store as Store;
    const t0 = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < objects.length) await store.create(objects[next++] as AnyObject);
    };
    await Promise.all(Array.from({ length: parallel }, lane));
    return performance.now() - t0;
  }

  /**
   * A new node and its agent (production map sampling and liveness, metrics on), started as
   * PodLab.startAgent starts one. (node --cpu-prof cannot profile it: the profiler's SIGPROF
   * makes the BPF verifier give up with EAGAIN while bpf_host.o loads.)
   */
  async startAgent(name: string): Promise<RunningAgent> {
    this.#host += 1;
    const cidr = `10.${this.#host}.0.0/16`;
    const node = this.pods.addNode(name, this.#host, cidr);
    const argv = agentArgv(this.pods.lab, name, [
      '--devices',
      'eth1',
      '--ipam',
      'kubernetes',
      '--state-dir',
      this.pods.stateDir(name),
      '--map-sample-interval',
      '10s',
      '--agent-liveness-update-interval',
      '1s',
      '--metrics-addr',
      `127.0.0.1:${METRICS_PORT}`,
      '--bpf-lb-map-max',
      String(LB_MAP_MAX),
    ]);
    const spawnedAt = process.hrtime.bigint();
    const p = this.pods.lab.spawnIn(node.ns, 'node', argv, (s) =>
      this.pods.logs.set(name, (this.pods.logs.get(name) ?? '') + s),
    );
    this.pods.agents.set(name, p);
    if (!(await healthy(this.pods.socket(name), 60_000)))
      throw new Error(`agent ${name} not ready:\n${this.pods.logs.get(name)}`);
    const healthyAt = process.hrtime.bigint();
    return {
      name,
      pid: p.pid as number,
      spawnedAt,
      healthyAt,
      pinDir: `${this.pods.lab.runDir}/bpffs/${name}`,
    };
  }

  /** SIGTERM, then its Node goes from the store (no later agent probes a node that is gone). */
  async stopAgent(a: RunningAgent): Promise<void> {
    await this.pods.killAgent(a.name, 'SIGTERM');
    await this.store?.delete('Node', a.name);
  }

  /** Prometheus text from the agent's metrics listener, inside its namespace. */
  scrape(a: RunningAgent): string {
    const ns = this.pods.nodes.get(a.name)?.node.ns;
    if (!ns) throw new Error(`no node ${a.name}`);
    return ns.exec('curl', ['-sf', '--max-time', '5', `http://127.0.0.1:${METRICS_PORT}/metrics`], {
      timeoutMs: 8000,
    }).stdout;
  }

  log(a: RunningAgent): string {
    return this.pods.logs.get(a.name) ?? '';
  }

  async destroy(): Promise<void> {
    try {
      await this.store?.close();
    } finally {
      try {
        await this.pods.destroy();
      } finally {
        await this.etcd?.stop();
      }
    }
  }
}

export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** What the kernel charges a pinned map (bpftool's bytes_memlock) and its size. */
export function mapMemory(path: string): { maxEntries: number; memlockBytes: number } {
  const j = JSON.parse(sh('bpftool', ['-j', 'map', 'show', 'pinned', path]).stdout) as {
    max_entries: number;
    bytes_memlock: number;
  };
  return { maxEntries: j.max_entries, memlockBytes: j.bytes_memlock };
}

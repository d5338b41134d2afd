// A real 3-member etcd cluster for failover tests: /usr/bin/etcd on free 127.0.0.1 ports, each
// member with its own data dir under one fresh temp dir, bootstrapped statically
// (--initial-cluster) with a token unique to this cluster so members of two test runs can never
// join each other. kill()/start() stop and restart one member with its data kept; stop() signals
// only the pids started here and removes the temp dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { freePort } from './etcd.js';

export interface ClusterMember {
  name: string;
  /** host:port of the client endpoint. */
  endpoint: string;
  clientUrl: string;
  peerUrl: string;
  /** The running process, or undefined while the member is down. */
  child: ChildProcess | undefined;
  stderr: string;
}

export interface TestEtcdCluster {
  members: ClusterMember[];
  /** etcd://h1:p1,h2:p2,h3:p3, for openStore() and the CLI's --store. */
  url: string;
  /** Index of the member that is leader now, asked of the running members themselves. */
  leader(): Promise<number>;
  /** SIGKILL (default) or SIGTERM one member, keeping its data; resolves once it has exited. */
  kill(index: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts a stopped member again on its ports and data; resolves once it reports healthy. */
  start(index: number): Promise<void>;
  /** Waits until every running member reports healthy (it has a leader and a quorum). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every member started here and removes the data. */
  stop(): Promise<void>;
}

const healthTimeoutMs = 20_000;

async function isHealthy(m: ClusterMember): Promise<boolean> {
  try {
    const res = await fetch(`${m.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false; // not listening yet, or no leader yet
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function killChild(child: ChildProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function startEtcdCluster(size = 3): Promise<TestEtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-etcd-cluster-'));
  const token = `waggle-${randomUUID()}`;
  const members: ClusterMember[] = [];
  for (let i = 0; i < size; i++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    members.push({
      name: `m${i}`,
      endpoint: `127.0.0.1:${clientPort}`,
      clientUrl: `http://127.0.0.1:${clientPort}`,
      peerUrl: `http://127.0.0.1:${peerPort}`,
      child: undefined,
      stderr: '',
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');

  // On a restart etcd finds its data dir and ignores the --initial-* flags, so one set of
  // arguments serves both the first start and every later one.
  const launch = (m: ClusterMember): void => {
    const args = [
      `--name=${m.name}`,
      `--data-dir=${join(dir, m.name)}`,
      `--listen-client-urls=${m.clientUrl}`,
      `--advertise-client-urls=${m.clientUrl}`,
      `--listen-peer-urls=${m.peerUrl}`,
      `--initial-advertise-peer-urls=${m.peerUrl}`,
      `--initial-cluster=${initialCluster}`,
      `--initial-cluster-token=${token}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-level=error',
    ];
    m.stderr = '';
    const child = spawn('/usr/bin/etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      m.stderr = (m.stderr + chunk.toString()).slice(-2000);
    });
    m.child = child;
  };

  const waitHealthy = async (timeoutMs = healthTimeoutMs): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = members.filter((m) => m.child && !exited(m.child));
      const dead = members.find((m) => m.child && exited(m.child));
      if (dead) throw new Error(`etcd member ${dead.name} exited: ${lastLines(dead.stderr)}`);
      const health = await Promise.all(running.map(isHealthy));
      if (health.every(Boolean)) return;
      if (Date.now() > deadline) {
        const sick = running.filter((_, i) => !health[i]).map((m) => `${m.name}: ${lastLines(m.stderr)}`);
        throw new Error(`etcd cluster not healthy after ${timeoutMs} ms: ${sick.join('; ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async (): Promise<void> => {
    await Promise.all(members.map((m) => (m.child ? killChild(m.child, 'SIGKILL') : undefined)));
    for (const m of members) m.child = undefined;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const m of members) launch(m);
    await waitHealthy();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    members,
    url: `etcd://${members.map((m) => m.endpoint).join(',')}`,
    async leader() {
      const statuses = await Promise.all(
        members.map((m) =>
          m.child && !exited(m.child) ? memberStatus(m.endpoint).catch(() => undefined) : undefined,
        ),
      );
      const leaderId = statuses.find((s) => s && s.leader !== '0')?.leader;
      const index = statuses.findIndex((s) => s !== undefined && s.header.member_id === leaderId);
      if (index < 0) throw new Error('etcd cluster: no running member reports a running leader');
      return index;
    },
    async kill(index, signal = 'SIGKILL') {
      const m = members[index];
      if (!m?.child) throw new Error(`etcd member ${index} is not running`);
      await killChild(m.child, signal);
      m.child = undefined;
    },
    async start(index) {
      const m = members[index];
      if (!m) throw new Error(`etcd cluster has no member ${index}`);
      if (m.child) throw new Error(`etcd member ${m.name} is already running`);
      launch(m);
      await waitHealthy();
    },
    waitHealthy,
    stop,
  };
}

/** The v3 maintenance status of one member, asked of that member alone. */
async function memberStatus(endpoint: string): Promise<{ leader: string; header: { member_id: string } }> {
  const client = new Etcd3({
    hosts: `http://${endpoint}`,
    defaultCallOptions: () => ({ deadline: Date.now() + 1000 }),
  });
  try {
    return (await client.maintenance.status()) as { leader: string; header: { member_id: string } };
  } finally {
    client.close();
  }
}

function lastLines(s: string): string {
  return s.trim().split('\n').slice(-3).join(' | ');
}

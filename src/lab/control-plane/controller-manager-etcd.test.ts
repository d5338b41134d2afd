// The lab's control plane against a real etcd, with three Ready Nodes and a fake kubelet in the
// test (it marks bound pods Running and Ready with an IP from their node's PodCIDR, and removes
// a terminating pod 300 ms after it was marked). Checked: node IPAM and the control-plane taint;
// a Deployment scaled 2 → 5 → 1, a rolling update, a deleted pod replaced, and at each step the
// EndpointSlice listing exactly the ready pods, a terminating pod as ready=false serving=true
// terminating=true; an unschedulable pod's message and its retry when a Node changes; garbage
// collection after the Deployment is deleted; and the subcommand exiting promptly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  type Deployment,
  DeploymentSchema,
  type EndpointSlice,
  type Node,
  type Pod,
  PodSchema,
  ServiceSchema,
} from '../../api/index.js';
import { requestPodDeletion } from '../../store/graceful-delete.js';
import { ConflictError, EtcdStore, NotFoundError } from '../../store/index.js';
import { startEtcd, type TestEtcd } from '../../testing/etcd.js';
import { WAGGLE_BIN } from '../paths.js';
import { ControllerManager } from './manager.js';

const A = '[bcdfghjklmnpqrstvwxz2456789]';
const CP_MESSAGE =
  "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector.";

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

const readyNode = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

/** Marks bound pods Running/Ready with an IP; removes terminating pods after 300 ms. */
function fakeKubelet(store: EtcdStore) {
  let stopped = false;
  let nextHost = 10;
  const marked = new Map<string, number>();
  const loop = (async () => {
    for (let i = 0; !stopped && i < 20_000; i++) {
      try {
        const nodes = new Map((await store.list({ kind: 'Node' })).items.map((n) => [n.metadata.name, n]));
        for (const p of (await store.list({ kind: 'Pod' })).items) {
          const node = p.spec.nodeName ? nodes.get(p.spec.nodeName) : undefined;
          if (!node) continue;
          if (p.metadata.deletionTimestamp) {
            const uid = p.metadata.uid ?? '';
            if (!marked.has(uid)) marked.set(uid, Date.now());
            else if (Date.now() - (marked.get(uid) as number) > 300)
              await store.delete('Pod', p.metadata.name, 'default');
            continue;
          }
          if (p.status?.podIP) continue;
          const base = (node.spec.podCIDRs?.[0] ?? '10.99.0.0/24').split('.').slice(0, 3).join('.');
          const now = new Date().toISOString();
          await store.updateStatus({
            ...p,
            status: {
              ...p.status,
              phase: 'Running',
              podIP: `${base}.${nextHost++}`,
              conditions: [
                ...(p.status?.conditions ?? []).filter((c) => c.type !== 'Ready'),
                { type: 'Ready', status: 'True', lastTransitionTime: now },
              ],
            },
          });
        }
      } catch (err) {
        if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

const deployment = (replicas: number, image = 'nginx:1.27'): Deployment =>
  DeploymentSchema.parse({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image, ports: [{ name: 'http', containerPort: 80 }] }] },
      },
    },
  });

describe('controller manager on etcd', () => {
  let etcd: TestEtcd | undefined;
  let store!: EtcdStore;
  let cm: ControllerManager | undefined;
  let kubelet: { stop(): Promise<void> } | undefined;
  const logs: string[] = [];

  before(async () => {
    etcd = await startEtcd();
    store = new EtcdStore({ endpoints: etcd.endpoints });
    cm = new ControllerManager(
      {
        store,
        clusterCidr: '10.200.0.0/22',
        nodeCidrMaskSize: 24,
        pinnedCidrs: new Map([
          ['server', '10.200.0.0/24'],
          ['node-0', '10.200.1.0/24'],
          ['node-1', '10.200.2.0/24'],
        ]),
        controlPlaneNodes: ['server'],
        resyncMs: 2000,
      },
      (l) => logs.push(l),
    );
    await cm.start();
    kubelet = fakeKubelet(store);
  });
  after(async () => {
    await kubelet?.stop();
    await cm?.stop();
    await store?.close();
    await etcd?.stop();
  });

  const pods = async () =>
    (await store.list({ kind: 'Pod' })).items.filter((p) => p.metadata.labels?.app === 'nginx');
  const slice = async (): Promise<EndpointSlice | undefined> => {
    const all = (await store.list({ kind: 'EndpointSlice' })).items;
    assert.ok(all.length <= 1, `one slice expected, got ${all.map((s) => s.metadata.name).join(', ')}`);
    return all[0];
  };

  /** n ready pods, none terminating, the Deployment complete, the slice listing exactly them. */
  async function converged(n: number): Promise<Pod[]> {
    return until(`${n} ready pods in the slice`, async () => {
      const ps = await pods();
      const ready = ps.filter(
        (p) =>
          !p.metadata.deletionTimestamp &&
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      if (ps.length !== n || ready.length !== n) return undefined;
      const d = await store.get('Deployment', 'nginx');
      if (d.status?.availableReplicas !== n || d.status.updatedReplicas !== n || d.status.replicas !== n)
        return undefined;
      const s = await slice();
      const listed = (s?.endpoints ?? [])
        .map((e) => `${e.targetRef?.name} ${e.addresses[0]} ${e.nodeName} ${JSON.stringify(e.conditions)}`)
        .sort();
      const want = ready
        .map(
          (p) =>
            `${p.metadata.name} ${p.status?.podIP} ${p.spec.nodeName} {"ready":true,"serving":true,"terminating":false}`,
        )
        .sort();
      return JSON.stringify(listed) === JSON.stringify(want) ? ready : undefined;
    });
  }

  it('gives the nodes the seed PodCIDRs and taints the control plane', async () => {
    for (const n of ['server', 'node-0', 'node-1']) await store.create(readyNode(n));
    const nodes = await until('podCIDRs', async () => {
      const items = (await store.list({ kind: 'Node' })).items;
      return items.every((n) => n.spec.podCIDRs) ? items : undefined;
    });
    assert.deepEqual(
      nodes.map((n) => [
        n.metadata.name,
        n.spec.podCIDRs?.[0],
        (n.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(),
      ]),
      [
        ['node-0', '10.200.1.0/24', ''],
        ['node-1', '10.200.2.0/24', ''],
        ['server', '10.200.0.0/24', 'node-role.kubernetes.io/control-plane:NoSchedule'],
      ],
    );
  });

  it('deploys 2 pods named <rs>-<5>, on the workers, behind one EndpointSlice', async () => {
    await store.create(
      ServiceSchema.parse({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'nginx', namespace: 'default' },
        spec: { selector: { app: 'nginx' }, ports: [{ port: 80, targetPort: 'http' }] },
      }),
    );
    await store.create(deployment(2));
    const ready = await converged(2);
    const [rs] = (await store.list({ kind: 'ReplicaSet' })).items;
    assert.match(rs?.metadata.name ?? '', new RegExp(`^nginx-${A}{1,10}$`));
    for (const p of ready) {
      assert.match(p.metadata.name, new RegExp(`^${rs?.metadata.name}-${A}{5}$`));
      assert.notEqual(p.spec.nodeName, 'server');
    }
    const s = await slice();
    assert.match(s?.metadata.name ?? '', new RegExp(`^nginx-${A}{5}$`));
    assert.equal(s?.metadata.labels?.['kubernetes.io/service-name'], 'nginx');
    assert.equal(
      s?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'],
      'endpointslice-controller.k8s.io',
    );
    assert.deepEqual(s?.ports, [{ name: '', protocol: 'TCP', port: 80 }]);
    const d = await store.get('Deployment', 'nginx');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(
      d.status?.conditions?.map((c) => c.reason),
      ['MinimumReplicasAvailable', 'NewReplicaSetAvailable'],
    );
  });

  it('scales 2 → 5 → 1; a terminating pod shows ready=false serving=true terminating=true', async () => {
    const scale = async (n: number) => {
      const d = await store.get('Deployment', 'nginx');
      await store.update({ ...d, spec: { ...d.spec, replicas: n } });
    };
    await scale(5);
    const five = await converged(5);
    assert.deepEqual(
      new Set(five.map((p) => p.spec.nodeName)),
      new Set(['node-0', 'node-1']),
      'spread on both workers',
    );
    const sliceBefore = await slice();
    await scale(1);
    const terminating = await until('a terminating endpoint', async () =>
      (await slice())?.endpoints.find((e) => e.conditions.terminating),
    );
    assert.deepEqual(terminating.conditions, { ready: false, serving: true, terminating: true });
    await converged(1);
    assert.equal(
      (await slice())?.metadata.name,
      sliceBefore?.metadata.name,
      'the same slice, updated in place',
    );
  });

  it('rolls out a template change: a new ReplicaSet, revision 2, the old one at 0', async () => {
    const d = await store.get('Deployment', 'nginx');
    const oldRs = (await store.list({ kind: 'ReplicaSet' })).items[0];
    await store.update({ ...d, spec: { ...d.spec, template: deployment(1, 'nginx:1.28').spec.template } });
    const [p] = await until('pods of the new template', async () => {
      const ready = await converged(1);
      return ready.every((x) => x.spec.containers[0]?.image === 'nginx:1.28') ? ready : undefined;
    });
    const rss = (await store.list({ kind: 'ReplicaSet' })).items;
    const next = rss.find((r) => r.metadata.name !== oldRs?.metadata.name);
    assert.ok(p?.metadata.name.startsWith(`${next?.metadata.name}-`));
    assert.equal(rss.find((r) => r.metadata.name === oldRs?.metadata.name)?.spec.replicas, 0);
    assert.equal(next?.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(
      (await store.get('Deployment', 'nginx')).metadata.annotations?.['deployment.kubernetes.io/revision'],
      '2',
    );
  });

  it('replaces a deleted pod', async () => {
    const [victim] = await pods();
    assert.ok(victim);
    assert.equal((await requestPodDeletion(store, victim)).action, 'terminating');
    const [replacement] = await until('a replacement', async () => {
      const ready = await converged(1);
      return ready[0]?.metadata.name !== victim.metadata.name ? ready : undefined;
    });
    assert.ok(replacement);
  });

  it('reports an unschedulable pod as kube-scheduler does, and binds it when a node fits', async () => {
    await store.create(
      PodSchema.parse({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'picky', namespace: 'default' },
        spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'busybox' }] },
      }),
    );
    const cond = await until('PodScheduled=False', async () =>
      (await store.get('Pod', 'picky')).status?.conditions?.find(
        (c) => c.type === 'PodScheduled' && c.status === 'False',
      ),
    );
    assert.deepEqual([cond.reason, cond.message], ['Unschedulable', CP_MESSAGE]);
    const n1 = await store.get('Node', 'node-1');
    await store.update({
      ...n1,
      metadata: { ...n1.metadata, labels: { ...n1.metadata.labels, disk: 'ssd' } },
    });
    // The bind is two writes, as the API server's binding and its condition: wait for both.
    const bound = await until('bound', async () => {
      const p = await store.get('Pod', 'picky');
      const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status === 'True';
      return p.spec.nodeName && scheduled ? p : undefined;
    });
    assert.equal(bound.spec.nodeName, 'node-1');
    await requestPodDeletion(store, { metadata: { name: 'picky', namespace: 'default' } }, 0, {
      force: true,
    });
  });

  it('collects the ReplicaSets and pods of a deleted Deployment; the slice empties', async () => {
    await store.delete('Deployment', 'nginx');
    await until('no ReplicaSets, no pods', async () =>
      (await store.list({ kind: 'ReplicaSet' })).items.length === 0 && (await pods()).length === 0
        ? true
        : undefined,
    );
    const s = await until('an empty slice', async () => {
      const x = await slice();
      return x && x.endpoints.length === 0 ? x : undefined;
    });
    assert.deepEqual(s.ports, []);
    assert.ok(
      logs.some((l) => l.startsWith('garbage-collector: ReplicaSet default/nginx-')),
      logs.join('\n'),
    );
  });

  it('the subcommand exits promptly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [WAGGLE_BIN, 'lab', 'controller-manager', '--store', etcd?.url ?? ''],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (b) => {
      out += String(b);
    });
    child.stderr.on('data', (b) => {
      out += String(b);
    });
    await until(
      'running line',
      async () => (out.includes('controller-manager: running') ? true : undefined),
      10_000,
    );
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const ms = Date.now() - t0;
    assert.equal(code, 0, out);
    assert.ok(ms < 2000, `exited after ${ms} ms`);
  });
});

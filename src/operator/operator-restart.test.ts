// Against a real etcd: the `waggle operator` process is killed (SIGKILL) while services are
// being created, restarted, and no satisfied service changes its IP; a pool edit that keeps a
// service's IP in range does not move it; SIGTERM stops the operator cleanly.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import type { CiliumLoadBalancerIPPool, Service } from '../api/index.js';
import { EtcdStore } from '../store/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';

const COUNT = 40;
const ext = (s: Service) => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).join(',');
const satisfied = (s: Service) =>
  s.status?.conditions?.find((c) => c.type === 'cilium.io/IPAMRequestSatisfied')?.status === 'True';

function startOperator(url: string): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(
    process.execPath,
    ['bin/waggle.js', '--store', url, 'operator', '--metrics-addr', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

function exited(child: ChildProcess, ms = 10_000): Promise<number | string | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve(child.exitCode ?? child.signalCode);
    const t = setTimeout(() => reject(new Error('operator did not exit')), ms);
    child.once('exit', (code, sig) => {
      clearTimeout(t);
      resolve(code ?? sig);
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('waggle operator on etcd: kill, restart, pool edit', () => {
  let etcd: TestEtcd | undefined;
  let store: EtcdStore | undefined;
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await store?.close();
    await etcd?.stop();
  });

  it('keeps every satisfied service on its IP across a SIGKILL and a pool edit', async () => {
    etcd = await startEtcd();
    store = new EtcdStore({ endpoints: etcd.endpoints });
    const s = store;
    const list = async () => (await s.list({ kind: 'Service' })).items;
    const pool: CiliumLoadBalancerIPPool = {
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumLoadBalancerIPPool',
      metadata: { name: 'lb' },
      spec: { blocks: [{ cidr: '10.0.10.0/24' }], disabled: false },
    };
    await s.create(pool);
    let op = startOperator(etcd.url);
    children.push(op.child);
    // Create services one by one and kill the operator with SIGKILL mid-stream.
    for (let i = 0; i < COUNT; i++) {
      await s.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}` },
        spec: { type: 'LoadBalancer' },
      });
      if (i === COUNT / 2) {
        await until('some satisfied', async () =>
          (await list()).filter(satisfied).length >= 5 ? true : undefined,
        );
        op.child.kill('SIGKILL');
        await exited(op.child);
      }
    }
    const before = new Map((await list()).filter(satisfied).map((x) => [x.metadata.name, ext(x)]));
    assert.ok(before.size >= 5 && before.size < COUNT, `killed mid-stream with ${before.size} satisfied`);

    op = startOperator(etcd.url);
    children.push(op.child);
    const all = await until('all satisfied', async () => {
      const items = await list();
      return items.length === COUNT && items.every(satisfied) ? items : undefined;
    });
    for (const svc of all) {
      const was = before.get(svc.metadata.name);
      if (was !== undefined)
        assert.equal(ext(svc), was, `${svc.metadata.name} kept its IP across the restart`);
      assert.match(
        svc.spec.clusterIP ?? '',
        /^10\.(9[6-9]|10[0-9]|11[01])\./,
        `${svc.metadata.name} has a clusterIP`,
      );
    }
    const ips = all.map(ext);
    assert.equal(new Set(ips).size, COUNT, 'no IP held twice');

    // Widen the pool and rewrite it as start/stop: every IP is still in range, nothing moves.
    const stored = await s.get('CiliumLoadBalancerIPPool', 'lb');
    await s.update({
      ...stored,
      spec: { ...stored.spec, blocks: [{ start: '10.0.10.0', stop: '10.0.11.200' }] },
    });
    await until('pool edit seen', async () => {
      const p = await s.get('CiliumLoadBalancerIPPool', 'lb');
      return p.status?.conditions?.find((c) => c.type === 'cilium.io/IPsTotal')?.message === '457'
        ? p
        : undefined;
    });
    const afterEdit = new Map((await list()).map((x) => [x.metadata.name, ext(x)]));
    for (const svc of all)
      assert.equal(afterEdit.get(svc.metadata.name), ext(svc), `${svc.metadata.name} not moved by the edit`);

    op.child.kill('SIGTERM');
    assert.equal(await exited(op.child), 0, op.output());
    assert.match(op.output(), /operator: SIGTERM, shutting down/);
  });
});

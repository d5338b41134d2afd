// The seed's manifests through the real CLI into a real etcd: they apply unchanged, read back
// equal, re-apply as "unchanged", and `get svc` shows <pending> until LB-IPAM writes an
// ingress IP. Also get's -o json/yaml shapes, short names, -l, and delete.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadManifests, type Service, specOf } from '../api/index.js';
import { EtcdStore } from '../store/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { waggle } from './cli-harness.js';

const seedDir = 'test/fixtures/manifests/seed';
let etcd: TestEtcd;
let store: EtcdStore;

before(async () => {
  etcd = await startEtcd();
  store = new EtcdStore({ endpoints: etcd.endpoints });
});
after(async () => {
  await store?.close();
  await etcd?.stop();
});

const cli = (...args: string[]) => waggle(['--store', etcd.url, ...args]);

/** Every field written in `want` has the same value in `got` (got may add defaults and identity). */
function assertContains(got: unknown, want: unknown, path = ''): void {
  if (want && typeof want === 'object' && !Array.isArray(want)) {
    for (const [k, v] of Object.entries(want))
      assertContains((got as Record<string, unknown>)?.[k], v, `${path}.${k}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${path}: list length`);
    for (const [i, v] of want.entries()) assertContains((got as unknown[])[i], v, `${path}[${i}]`);
  } else {
    assert.deepEqual(got, want, path);
  }
}

test('the seed manifests apply unchanged and read back equal', async () => {
  const run = cli('apply', '-f', seedDir);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), [
    'ciliuml2announcementpolicy.cilium.io/policy1 created',
    'ciliumloadbalancerippool.cilium.io/lb-pool created',
    'service/cilium-ingress-basic-ingress created',
  ]);
  for (const file of ['l2.yaml', 'lb.yaml', 'service.yaml']) {
    const raw = parseAllDocuments(readFileSync(`${seedDir}/${file}`, 'utf8'))[0]?.toJS() as Service;
    const [parsed] = loadManifests([`${seedDir}/${file}`]);
    const stored = await store.get(raw.kind, raw.metadata.name, raw.metadata.namespace);
    assertContains(stored, raw);
    assert.deepEqual(stored.spec, parsed && specOf(parsed.object), `${file}: spec with defaults`);
  }
  const policy = await store.get('CiliumL2AnnouncementPolicy', 'policy1');
  assert.deepEqual(policy.spec.interfaces, ['^eth[0-9]+']);
  assert.equal(policy.spec.nodeSelector?.matchExpressions?.[0]?.operator, 'DoesNotExist');
});

test('applying the same manifests again reports unchanged and writes nothing', async () => {
  const before = (await store.list({ kind: 'Service' })).revision;
  const run = cli('apply', '-f', `${seedDir}/l2.yaml`, '-f', `${seedDir}/service.yaml`);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), [
    'ciliuml2announcementpolicy.cilium.io/policy1 unchanged',
    'service/cilium-ingress-basic-ingress unchanged',
  ]);
  assert.equal((await store.list({ kind: 'Service' })).revision, before);
});

test('a changed manifest on stdin is "configured" and bumps generation', async () => {
  const text = readFileSync(`${seedDir}/l2.yaml`, 'utf8').replace('externalIPs: true', 'externalIPs: false');
  const run = waggle(['--store', etcd.url, 'apply', '-f', '-'], { input: text });
  assert.equal(run.stdout, 'ciliuml2announcementpolicy.cilium.io/policy1 configured\n');
  const policy = await store.get('CiliumL2AnnouncementPolicy', 'policy1');
  assert.equal(policy.spec.externalIPs, false);
  assert.equal(policy.metadata.generation, 2);
});

test('get svc shows <pending> until an ingress IP exists, then the IP (seed columns)', async () => {
  const pending = cli('get', 'svc', 'cilium-ingress-basic-ingress');
  assert.equal(pending.code, 0, pending.stderr);
  const lines = pending.stdout.split('\n');
  assert.match(lines[0] ?? '', /^NAME {27}TYPE {11}CLUSTER-IP {6}EXTERNAL-IP {3}PORT\(S\) {22}AGE$/);
  assert.match(
    lines[1] ?? '',
    /^cilium-ingress-basic-ingress {3}LoadBalancer {3}10\.96\.156\.194 {3}<pending> {5}80:31017\/TCP,443:32600\/TCP {3}\d+s$/,
  );
  const svc = await store.get('Service', 'cilium-ingress-basic-ingress');
  await store.updateStatus({ ...svc, status: { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } } });
  const assigned = cli('get', 'services', 'cilium-ingress-basic-ingress');
  assert.match(assigned.stdout.split('\n')[1] ?? '', /10\.96\.156\.194 {3}10\.0\.10\.0 {5}80:31017/);
});

test('-o json prints the object for a named get and a List otherwise', () => {
  const one = JSON.parse(cli('get', 'lbippool', 'lb-pool', '-o', 'json').stdout) as {
    kind: string;
    spec: unknown;
  };
  assert.equal(one.kind, 'CiliumLoadBalancerIPPool');
  assert.deepEqual(one.spec, { blocks: [{ cidr: '10.0.10.0/24' }], disabled: false });
  const list = JSON.parse(cli('get', 'ciliumloadbalancerippools.cilium.io', '-o', 'json').stdout) as {
    kind: string;
    items: unknown[];
  };
  assert.equal(list.kind, 'List');
  assert.equal(list.items.length, 1);
  assert.match(cli('get', 'l2announcement', '-o', 'yaml').stdout, /^apiVersion: v1\nkind: List\n/);
});

test('get -l filters by label and -A adds a NAMESPACE column', () => {
  const hit = cli('get', 'svc', '-A', '-l', 'cilium.io/ingress=true');
  assert.match(hit.stdout, /^NAMESPACE {3}NAME/);
  assert.match(hit.stdout, /\ndefault {5}cilium-ingress-basic-ingress /);
  const miss = cli('get', 'svc', '-l', 'cilium.io/ingress notin (true)');
  assert.equal(miss.stdout, '');
  assert.equal(miss.stderr, 'No resources found in default namespace.\n');
});

test('bad get arguments are one line each', () => {
  assert.equal(
    cli('get', 'pod2').stderr.split('\n')[0]?.startsWith('waggle: get: unknown kind "pod2"'),
    true,
  );
  assert.equal(
    cli('get', 'svc', '-o', 'xml').stderr,
    'waggle: get: --output "xml" is not one of wide, yaml, json, name, jsonpath=TEMPLATE\n',
  );
  assert.equal(cli('get', 'svc', 'nope').stderr, 'waggle: services "nope" not found\n');
  assert.match(cli('get', 'svc', '-l', 'a in (').stderr, /^waggle: get: selector "a in \(": /);
});

test('delete KIND NAME and delete -f remove objects and say so', async () => {
  const one = cli('delete', 'ippool', 'lb-pool');
  assert.equal(one.stdout, 'ciliumloadbalancerippool.cilium.io "lb-pool" deleted\n');
  assert.equal(await store.tryGet('CiliumLoadBalancerIPPool', 'lb-pool'), undefined);
  const rest = cli('delete', '-f', seedDir);
  assert.equal(rest.code, 1);
  assert.equal(
    rest.stdout,
    'ciliuml2announcementpolicy.cilium.io "policy1" deleted\nservice "cilium-ingress-basic-ingress" deleted\n',
  );
  assert.match(rest.stderr, /NotFound\): ciliumloadbalancerippools.cilium.io "lb-pool" not found/);
  assert.equal((await store.list({ kind: 'Service' })).items.length, 0);
});

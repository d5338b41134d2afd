// kubectl's workload habits through the real CLI on a real etcd: the seeds' Pods and Deployment
// apply unchanged; get -o jsonpath / -o name; create refuses what exists; scale; rollout
// restart and status; patch (merge and JSON, an invalid result writing nothing); graceful pod
// deletion (marked, waited for, forced, unscheduled pods at once).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Deployment, Pod } from '../api/index.js';
import { EtcdStore } from '../store/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { dumpEtcd, waggle } from './cli-harness.js';

const dir = 'test/fixtures/manifests/workloads';
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

function ok(run: ReturnType<typeof cli>): string {
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

/** The CLI in the background, for commands that wait while the test changes the store. */
function cliAsync(...args: string[]): {
  done: Promise<{ code: number; stdout: string; stderr: string }>;
  stdout: () => string;
} {
  const child = spawn(process.execPath, ['bin/waggle.js', '--store', etcd.url, ...args], {
    env: { ...process.env, WAGGLE_STORE: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    }),
  );
  return { done, stdout: () => stdout };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('seed manifests apply unchanged (also from stdin) and re-apply as unchanged', async () => {
  assert.equal(
    ok(cli('apply', '-f', `${dir}/testpod.yaml`, '-f', `${dir}/nginx-deployment.yaml`)),
    'pod/netpod created\npod/webpod1 created\npod/webpod2 created\ndeployment.apps/nginx created\n',
  );
  const input = readFileSync(`${dir}/nginx-deployment.yaml`, 'utf8');
  assert.equal(
    ok(waggle(['--store', etcd.url, 'apply', '-f', '-'], { input })),
    'deployment.apps/nginx unchanged\n',
  );
  assert.equal(ok(cli('apply', '-f', `${dir}/testpod.yaml`)).split('\n')[0], 'pod/netpod unchanged');
  const netpod = await store.get('Pod', 'netpod');
  assert.deepEqual(netpod.spec.containers[0]?.args, ['-f', '/dev/null']);
  assert.equal(netpod.spec.terminationGracePeriodSeconds, 0);
});

test('get -o jsonpath: one object, a List, range; -o name; a bad template names it', async () => {
  const netpod = await store.get('Pod', 'netpod');
  await store.updateStatus({ ...netpod, status: { phase: 'Running', podIP: '10.200.0.5' } } as Pod);
  assert.equal(ok(cli('get', 'pods', 'netpod', '-o', 'jsonpath={.status.podIP}')), '10.200.0.5');
  assert.equal(
    ok(cli('get', 'po', '-o', "jsonpath='{.items[*].metadata.name}'")),
    "'netpod webpod1 webpod2'",
  );
  assert.equal(ok(cli('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}')), 'netpod webpod1 webpod2');
  assert.equal(
    ok(
      cli(
        'get',
        'pods',
        '-l',
        'app=webpod',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}',
      ),
    ),
    'webpod1\tk8s-w1\nwebpod2\tk8s-w2\n',
  );
  assert.equal(
    ok(cli('get', 'deploy', '-o', 'jsonpath={.items[0].spec.template.spec.containers[0].image}')),
    'nginx:1.27',
  );
  assert.equal(ok(cli('get', 'pods', '-o', 'name')), 'pod/netpod\npod/webpod1\npod/webpod2\n');
  assert.equal(ok(cli('get', 'deploy', 'nginx', '-o', 'name')), 'deployment.apps/nginx\n');
  const bad = cli('get', 'pods', '-o', 'jsonpath={.items[*}');
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /^waggle: bad jsonpath template "\{\.items\[\*\}": unterminated \[ at character 8\n$/,
  );
  const format = cli('get', 'pods', '-o', 'table');
  assert.match(format.stderr, /--output "table" is not one of wide, yaml, json, name, jsonpath=TEMPLATE/);
});

test('create refuses objects that exist, per object, and still creates the new ones', async () => {
  const input = `${readFileSync(`${dir}/testpod.yaml`, 'utf8')}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: extra\nspec:\n  containers:\n  - name: c\n    image: busybox\n`;
  const run = waggle(['--store', etcd.url, 'create', '-f', '-'], { input });
  assert.equal(run.code, 1);
  assert.equal(run.stdout, 'pod/extra created\n');
  assert.equal(
    run.stderr,
    'Error from server (AlreadyExists): pods "netpod" already exists\n' +
      'Error from server (AlreadyExists): pods "webpod1" already exists\n' +
      'Error from server (AlreadyExists): pods "webpod2" already exists\n' +
      'waggle: create: 3 of 4 already existed\n',
  );
  assert.ok(await store.tryGet('Pod', 'extra'));
});

test('scale sets spec.replicas in both spellings and refuses what it cannot scale', async () => {
  assert.equal(ok(cli('scale', 'deploy/nginx', '--replicas', '3')), 'deployment.apps/nginx scaled\n');
  assert.equal((await store.get('Deployment', 'nginx')).spec.replicas, 3);
  assert.equal(ok(cli('scale', 'deployment', 'nginx', '--replicas=2')), 'deployment.apps/nginx scaled\n');
  const d = await store.get('Deployment', 'nginx');
  assert.equal(d.spec.replicas, 2);
  assert.equal(d.metadata.generation, 3, 'each scale is a spec change');
  const before = await dumpEtcd(store.client);
  for (const [args, message] of [
    [['scale', 'deploy/nginx', '--replicas', '-1'], /--replicas: "-1" is not a whole number/],
    [
      ['scale', 'pod/netpod', '--replicas', '2'],
      /scale: pods are not supported \(only deployment.apps, replicaset.apps\)/,
    ],
    [['scale', 'deploy/nope', '--replicas', '2'], /deployments.apps "nope" not found/],
    [['scale', 'deploy', '--replicas', '2'], /give the object as KIND\/NAME or KIND NAME/],
  ] as const) {
    const run = cli(...args);
    assert.equal(run.code, 1, args.join(' '));
    assert.match(run.stderr, message);
  }
  assert.deepEqual(await dumpEtcd(store.client), before);
});

test('rollout restart stamps the template; rollout status follows the controller to the end', async () => {
  const t0 = Date.now();
  assert.equal(ok(cli('rollout', 'restart', 'deploy/nginx')), 'deployment.apps/nginx restarted\n');
  const d = await store.get('Deployment', 'nginx');
  const stamp = d.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? '';
  assert.match(stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(stamp) - t0) < 5000, stamp);

  const status = cliAsync('rollout', 'status', 'deploy/nginx', '--timeout', '20s');
  // Play the Deployment controller: observe the generation, then bring replicas up.
  const steps: Deployment['status'][] = [
    { observedGeneration: d.metadata.generation, replicas: 3, updatedReplicas: 1, availableReplicas: 2 },
    { observedGeneration: d.metadata.generation, replicas: 3, updatedReplicas: 2, availableReplicas: 2 },
    { observedGeneration: d.metadata.generation, replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
    { observedGeneration: d.metadata.generation, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  ];
  for (const [i, s] of steps.entries()) {
    // Each status only once the previous line is out, so every stage is seen.
    await until(async () => status.stdout().split('\n').length > i + 1, `line ${i + 1}`);
    const cur = await store.get('Deployment', 'nginx');
    await store.updateStatus({ ...cur, status: s } as Deployment);
  }
  const run = await status.done;
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), [
    'Waiting for deployment spec update to be observed...',
    'Waiting for deployment "nginx" rollout to finish: 1 out of 2 new replicas have been updated...',
    'Waiting for deployment "nginx" rollout to finish: 1 old replicas are pending termination...',
    'Waiting for deployment "nginx" rollout to finish: 1 of 2 updated replicas are available...',
    'deployment "nginx" successfully rolled out',
  ]);
});

test('rollout status gives up at --timeout, naming the deployment', async () => {
  assert.equal(ok(cli('scale', 'deploy/nginx', '--replicas', '4')), 'deployment.apps/nginx scaled\n');
  const t0 = Date.now();
  const run = cli('rollout', 'status', 'deployment', 'nginx', '--timeout', '1s');
  assert.equal(run.code, 1);
  assert.equal(run.stdout, 'Waiting for deployment spec update to be observed...\n');
  assert.equal(run.stderr, 'waggle: rollout status: timed out after 1s waiting for deployment "nginx"\n');
  assert.ok(Date.now() - t0 < 10_000);
});

test('patch: merge and JSON patches, no change, and an invalid result writing nothing', async () => {
  ok(cli('apply', '-f', 'test/fixtures/manifests/seed/service.yaml'));
  const svc = 'cilium-ingress-basic-ingress';
  assert.equal(
    ok(cli('patch', 'svc', svc, '-p', '{"spec": {"type": "NodePort"}}')),
    `service/${svc} patched\n`,
  );
  assert.equal((await store.get('Service', svc)).spec.type, 'NodePort');
  assert.equal(
    ok(cli('patch', 'svc', svc, '-p', '{"spec": {"type": "NodePort"}}')),
    `service/${svc} patched (no change)\n`,
  );
  assert.equal(
    ok(
      cli(
        'patch',
        'deploy',
        'nginx',
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/spec/replicas","value":1}]',
      ),
    ),
    'deployment.apps/nginx patched\n',
  );
  assert.equal((await store.get('Deployment', 'nginx')).spec.replicas, 1);
  assert.equal(
    ok(cli('patch', 'pod', 'netpod', '-p', '{"metadata":{"labels":{"tier":"debug"}}}')),
    'pod/netpod patched\n',
  );
  assert.deepEqual((await store.get('Pod', 'netpod')).metadata.labels, { app: 'netpod', tier: 'debug' });

  const before = await dumpEtcd(store.client);
  for (const [args, message] of [
    [
      ['svc', svc, '-p', '{"spec":{"type":"Balanced"}}'],
      `waggle: The Service "${svc}" is invalid: spec.type: "Balanced" is not one of ClusterIP, NodePort, LoadBalancer, ExternalName\n`,
    ],
    [
      ['deploy', 'nginx', '-p', '{"spec":{"replicas":-2}}'],
      'waggle: The Deployment "nginx" is invalid: spec.replicas: must not be negative\n',
    ],
    [
      ['deploy', 'nginx', '-p', '{"spec":{"selector":{"matchLabels":{"app":"web"}}}}'],
      'waggle: The Deployment "nginx" is invalid: spec.template.metadata.labels: `selector` does not match template `labels`\n',
    ],
    [
      ['pod', 'netpod', '-p', '{"spec":{"containers":[{"name":"x","image":"NGINX"}]}}'],
      'waggle: The Pod "netpod" is invalid: spec.containers[0].image: "NGINX" is not a valid image reference (lower case; e.g. "nginx", "nginx:1.27", "traefik/whoami")\n',
    ],
    [
      ['pod', 'netpod', '-p', '{"metadata":{"name":"other"}}'],
      'waggle: The Pod "netpod" is invalid: metadata.name: may not be changed by a patch\n',
    ],
    [['pod', 'netpod', '-p', '{"spec":'], /^waggle: patch: -p is not valid JSON: /],
    [
      ['pod', 'netpod', '--type', 'strategic', '-p', '{}'],
      /^waggle: patch: --type "strategic" is not one of merge, json/,
    ],
    [
      ['deploy', 'nginx', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/nope"}]'],
      'waggle: patch: deployment.apps/nginx: operation 0 (remove): path "/spec/nope" does not exist\n',
    ],
  ] as const) {
    const run = cli('patch', ...args);
    assert.equal(run.code, 1, args.join(' '));
    if (typeof message === 'string') assert.equal(run.stderr, message);
    else assert.match(run.stderr, message);
  }
  assert.deepEqual(await dumpEtcd(store.client), before, 'a refused patch writes nothing');
});

test('delete pod: graceful (marked with the grace period), --wait until the kubelet removes it', async () => {
  const t0 = Date.now();
  const del = cliAsync('delete', 'pod', 'webpod1', '--timeout', '20s');
  // The lab's kubelet: sees the deletionTimestamp, stops the containers, removes the pod.
  let marked: Pod | undefined;
  await until(async () => {
    marked = await store.get('Pod', 'webpod1');
    return marked.metadata.deletionTimestamp !== undefined;
  }, 'webpod1 to be marked');
  assert.equal(marked?.metadata.deletionGracePeriodSeconds, 0, "the pod's terminationGracePeriodSeconds");
  assert.ok(Math.abs(Date.parse(marked?.metadata.deletionTimestamp ?? '') - t0) < 5000);
  assert.ok(ok(cli('get', 'pods', 'webpod1')).includes('Terminating'));
  await new Promise((r) => setTimeout(r, 500));
  await store.delete('Pod', 'webpod1');
  const run = await del.done;
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'pod "webpod1" deleted\n');
});

test('delete pod: --grace-period, --now, --wait=false, a timeout, --force, and unscheduled pods', async () => {
  assert.equal(
    ok(cli('delete', 'pod', 'webpod2', '--grace-period', '45', '--wait=false')),
    'pod "webpod2" deleted\n',
  );
  const marked = await store.get('Pod', 'webpod2');
  assert.equal(marked.metadata.deletionGracePeriodSeconds, 45);
  const deadline = Date.parse(marked.metadata.deletionTimestamp ?? '') - Date.now();
  assert.ok(
    deadline > 35_000 && deadline <= 46_000,
    `deletionTimestamp is when the grace ends (${deadline} ms)`,
  );
  // A second request leaves the first deadline alone.
  ok(cli('delete', 'pod', 'webpod2', '--now', '--wait=false'));
  assert.equal(
    (await store.get('Pod', 'webpod2')).metadata.deletionTimestamp,
    marked.metadata.deletionTimestamp,
  );

  const timedOut = cli('delete', 'pod', 'webpod2', '--timeout', '1s');
  assert.equal(timedOut.code, 1);
  assert.match(timedOut.stderr, /timed out after 1s waiting for pods\/webpod2 to be removed/);

  const forced = cli('delete', 'pod', 'webpod2', '--force', '--grace-period', '0');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stdout, 'pod "webpod2" force deleted\n');
  assert.match(forced.stderr, /^Warning: Immediate deletion does not wait/);
  assert.equal(await store.tryGet('Pod', 'webpod2'), undefined);

  // "extra" has no nodeName: no kubelet holds it, so it goes at once, as the API server does.
  assert.equal(ok(cli('delete', 'pod', 'extra')), 'pod "extra" deleted\n');
  assert.equal(await store.tryGet('Pod', 'extra'), undefined);

  const both = cli('delete', 'pod', 'netpod', '--now', '--grace-period', '5');
  assert.match(both.stderr, /--now and --grace-period cannot be specified together/);
  const missing = cli('delete', 'pod', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^Error from server \(NotFound\): pods "nope" not found\n/);
});

test('delete deployment removes only the Deployment (its ReplicaSets go by garbage collection)', async () => {
  assert.equal(ok(cli('delete', 'deploy', 'nginx')), 'deployment.apps "nginx" deleted\n');
  assert.equal(await store.tryGet('Deployment', 'nginx'), undefined);
  assert.ok(await store.tryGet('Pod', 'netpod'), 'other objects untouched');
});

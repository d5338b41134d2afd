// The workload kinds against the manifests the seeds apply: seed 004's three test pods and a
// typical nginx Deployment validate unchanged, with the API server's defaults filled in; the
// checks that need more than one field (selector vs template, probe handlers, surge and
// unavailability) and the ones a user meets first (image references) give field-level errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Deployment, loadManifests, type Pod, validateObject } from './index.js';

const dir = 'test/fixtures/manifests/workloads';

test("seed 004's testpod.yaml: three pods with nodeName, their command and a grace period of 0", () => {
  const pods = loadManifests([`${dir}/testpod.yaml`]).map((m) => m.object as Pod);
  assert.deepEqual(
    pods.map((p) => [p.metadata.name, p.metadata.namespace, p.spec.nodeName, p.spec.containers[0]?.image]),
    [
      ['netpod', 'default', 'k8s-s', 'nicolaka/netshoot'],
      ['webpod1', 'default', 'k8s-w1', 'traefik/whoami'],
      ['webpod2', 'default', 'k8s-w2', 'traefik/whoami'],
    ],
  );
  const netpod = pods[0] as Pod;
  assert.deepEqual(netpod.spec.containers[0]?.command, ['tail']);
  assert.deepEqual(netpod.spec.containers[0]?.args, ['-f', '/dev/null']);
  assert.equal(netpod.spec.terminationGracePeriodSeconds, 0, 'an explicit 0 is kept, not defaulted to 30');
  assert.equal(netpod.spec.restartPolicy, 'Always');
  assert.deepEqual(netpod.metadata.labels, { app: 'netpod' });
});

test('the nginx Deployment: defaults as the API server fills them', () => {
  const [m] = loadManifests([`${dir}/nginx-deployment.yaml`]);
  const d = m?.object as Deployment;
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
  });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  const c = d.spec.template.spec.containers[0];
  assert.deepEqual(c?.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(d.spec.template.spec.terminationGracePeriodSeconds, 30);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
});

const pod = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers, ...extra },
});

function errors(doc: unknown): string[] {
  const r = validateObject(doc);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

test('image references: well-formed names pass (known to the lab or not), malformed ones are refused', () => {
  for (const image of [
    'nginx',
    'nginx:1.27',
    'redis', // unknown to the lab: accepted here, ErrImagePull from the lab's kubelet
    'traefik/whoami:v1.10',
    'docker.io/library/nginx:1.27-alpine',
    'localhost:5000/team/app_x__y:tag.1',
    `nginx@sha256:${'a'.repeat(64)}`,
  ])
    assert.deepEqual(errors(pod([{ name: 'c', image }])), [], image);
  for (const image of [
    'NGINX:latest',
    'nginx:',
    'nginx:1.27:x',
    ':latest',
    'nginx@sha256:abc',
    'a b',
    '-nginx',
  ])
    assert.match(
      errors(pod([{ name: 'c', image }])).join(),
      /^spec\.containers\[0\]\.image: ".*" is not a valid image reference/,
      image,
    );
});

test('probes: exactly one handler, a named port must be a container port', () => {
  const c = (probe: unknown) =>
    pod([{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }], readinessProbe: probe }]);
  assert.deepEqual(errors(c({ httpGet: { port: 'http' } })), []);
  assert.deepEqual(errors(c({ exec: { command: ['true'] } })), []);
  assert.deepEqual(errors(c({ tcpSocket: { port: 'web' } })), [
    'spec.containers[0].readinessProbe.tcpSocket.port: names no port of container "c"',
  ]);
  assert.deepEqual(errors(c({ exec: { command: ['true'] }, tcpSocket: { port: 80 } })), [
    'spec.containers[0].readinessProbe: must have exactly one of httpGet, tcpSocket, exec (has 2)',
  ]);
});

test('lifecycle.preStop: exactly one of exec, httpGet, sleep; tcpSocket refused; a named port must exist', () => {
  const c = (preStop: unknown) =>
    pod([
      { name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }], lifecycle: { preStop } },
    ]);
  assert.deepEqual(errors(c({ sleep: { seconds: 5 } })), []);
  assert.deepEqual(errors(c({ exec: { command: ['nginx', '-s', 'quit'] } })), []);
  assert.deepEqual(errors(c({ httpGet: { port: 'http', path: '/drain' } })), []);
  assert.deepEqual(errors(c({ sleep: { seconds: -1 } })), [
    'spec.containers[0].lifecycle.preStop.sleep.seconds: must not be negative',
  ]);
  assert.deepEqual(errors(c({ httpGet: { port: 'admin' } })), [
    'spec.containers[0].lifecycle.preStop.httpGet.port: names no port of container "c"',
  ]);
  assert.deepEqual(errors(c({ sleep: { seconds: 1 }, exec: { command: ['true'] } })), [
    'spec.containers[0].lifecycle.preStop: must have exactly one of exec, httpGet, sleep (has 2)',
  ]);
  assert.equal(errors(c({ tcpSocket: { port: 80 } })).length, 2, 'an unknown key, and no handler');
});

test('Deployment selector and strategy rules', () => {
  const dep = (spec: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x', tier: 'web' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
      ...spec,
    },
  });
  assert.deepEqual(errors(dep({})), []);
  assert.deepEqual(
    errors(dep({ selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } })),
    [],
  );
  assert.deepEqual(errors(dep({ selector: { matchLabels: { app: 'y' } } })), [
    'spec.template.metadata.labels: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(errors(dep({ strategy: { rollingUpdate: { maxSurge: '0%', maxUnavailable: 0 } } })), [
    'spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when `maxSurge` is 0',
  ]);
  const recreate = validateObject(dep({ strategy: { type: 'Recreate' } }));
  assert.ok(recreate.ok && (recreate.object as Deployment).spec.strategy.rollingUpdate === undefined);
});

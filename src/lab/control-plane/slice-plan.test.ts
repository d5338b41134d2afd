// EndpointSlice contents: which pods (an IP, not finished; terminating ones kept), the three
// conditions, nodeName and targetRef, named targetPorts resolved per pod (different numbers →
// different slices, an unknown name → the port left out), the placeholder, and writes only
// where something changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EndpointSlice, EndpointSliceSchema } from '../../api/index.js';
import { pod, service } from './fixtures.test-helper.js';
import { desiredSlices, sliceLabels, sliceWrites } from './slice-plan.js';

const conditions = (s: ReturnType<typeof desiredSlices>) =>
  Object.fromEntries(s.flatMap((x) => x.endpoints).map((e) => [e.targetRef?.name, e.conditions]));

test('ready, serving and terminating as KEP-1672 defines them; no IP or finished: left out', () => {
  const slices = desiredSlices(service('web'), [
    pod('ready', { node: 'node-0', ready: true, ip: '10.200.1.5' }),
    pod('starting', { node: 'node-0', ready: false, ip: '10.200.1.6' }),
    pod('terminating', { node: 'node-1', ready: true, ip: '10.200.2.7', deleting: true }),
    pod('terminating-unready', { node: 'node-1', ready: false, ip: '10.200.2.8', deleting: true }),
    pod('no-ip', { node: 'node-1', ready: true }),
    pod('done', { node: 'node-1', ready: false, ip: '10.200.2.9', phase: 'Succeeded' }),
    pod('other-app', { node: 'node-1', ready: true, ip: '10.200.2.10', labels: { app: 'x' } }),
  ]);
  assert.equal(slices.length, 1);
  assert.deepEqual(conditions(slices), {
    ready: { ready: true, serving: true, terminating: false },
    starting: { ready: false, serving: false, terminating: false },
    terminating: { ready: false, serving: true, terminating: true },
    'terminating-unready': { ready: false, serving: false, terminating: true },
  });
  const e = slices[0]?.endpoints[0];
  assert.deepEqual(e, {
    addresses: ['10.200.1.5'],
    conditions: { ready: true, serving: true, terminating: false },
    nodeName: 'node-0',
    targetRef: { kind: 'Pod', namespace: 'default', name: 'ready', uid: 'uid-ready' },
  });
  assert.deepEqual(slices[0]?.ports, [{ name: '', protocol: 'TCP', port: 80 }]);
});

test('a named targetPort resolving to different numbers splits the pods into two slices', () => {
  const slices = desiredSlices(service('web'), [
    pod('a', { node: 'n', ready: true, ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('b', { node: 'n', ready: true, ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 80 }] }),
    pod('c', { node: 'n', ready: true, ip: '10.0.0.3', ports: [{ name: 'http', containerPort: 8080 }] }),
  ]);
  assert.deepEqual(
    slices.map((s) => [s.ports.map((p) => p.port), s.endpoints.map((e) => e.targetRef?.name)]),
    [
      [[80], ['b']],
      [[8080], ['a', 'c']],
    ],
  );
});

test('numeric and omitted targetPort; a name the pod lacks leaves that port out', () => {
  const svc = service('web', {
    ports: [
      { name: 'a', port: 80, targetPort: 8080 },
      { name: 'b', port: 81 },
      { name: 'c', port: 82, targetPort: 'metrics' },
    ],
  });
  const [s] = desiredSlices(svc, [pod('p', { node: 'n', ready: true, ip: '10.0.0.1' })]);
  assert.deepEqual(s?.ports, [
    { name: 'a', protocol: 'TCP', port: 8080 },
    { name: 'b', protocol: 'TCP', port: 81 },
  ]);
});

test('no endpoints: one empty placeholder; no selector: no slices at all', () => {
  assert.deepEqual(desiredSlices(service('web'), []), [{ addressType: 'IPv4', ports: [], endpoints: [] }]);
  assert.deepEqual(
    desiredSlices(service('web', { selector: undefined }), [pod('p', { node: 'n', ip: '10.0.0.1' })]),
    [],
  );
});

test('writes: none when equal, an update in place when endpoints change, extra slices deleted', () => {
  const svc = service('web');
  const pods = [pod('a', { node: 'n', ready: true, ip: '10.0.0.1' })];
  const [want] = desiredSlices(svc, pods);
  const stored = (name: string, content = want): EndpointSlice =>
    EndpointSliceSchema.parse({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: 'default', labels: sliceLabels(svc), resourceVersion: '5' },
      ...content,
    });
  assert.deepEqual(sliceWrites([stored('web-abcde')], desiredSlices(svc, pods), svc), []);
  const more = [...pods, pod('b', { node: 'n', ready: true, ip: '10.0.0.2' })];
  const writes = sliceWrites([stored('web-abcde'), stored('web-fghjk')], desiredSlices(svc, more), svc);
  assert.deepEqual(
    writes.map((w) => [w.kind, w.kind === 'create' ? '' : w.slice.metadata.name]),
    [
      ['update', 'web-abcde'],
      ['delete', 'web-fghjk'],
    ],
  );
});

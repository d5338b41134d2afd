// The scheduler's fit and messages: the control-plane taint, nodeSelector, not-ready nodes,
// tolerations, the spread by fewest pods, and kube-scheduler's FitError wording.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodSchema } from '../../api/index.js';
import { node, pod } from './fixtures.test-helper.js';
import { schedule, tolerates } from './scheduler-fit.js';

const CP = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const };
const lab = () => [
  node('server', { taints: [CP], labels: { 'node-role.kubernetes.io/control-plane': '' } }),
  node('node-0'),
  node('node-1'),
];
const withSpec = (spec: Record<string, unknown>) => {
  const p = pod('p');
  return PodSchema.parse({ ...p, spec: { ...p.spec, ...spec } });
};

test("kube-scheduler's message: counts per reason, reasons sorted", () => {
  const r = schedule(withSpec({ nodeSelector: { disk: 'ssd' } }), lab(), new Map());
  assert.deepEqual(r, {
    ok: false,
    message:
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector.",
  });
});

test('the control plane is skipped; the least loaded worker wins, ties by name', () => {
  assert.deepEqual(schedule(pod('p'), lab(), new Map()), { ok: true, node: 'node-0' });
  assert.deepEqual(
    schedule(
      pod('p'),
      lab(),
      new Map([
        ['node-0', 2],
        ['node-1', 1],
      ]),
    ),
    { ok: true, node: 'node-1' },
  );
});

test('a toleration of the control-plane taint lets a pod onto server', () => {
  const p = withSpec({
    tolerations: [{ key: CP.key, operator: 'Exists', effect: 'NoSchedule' }],
    nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
  });
  assert.deepEqual(schedule(p, lab(), new Map()), { ok: true, node: 'server' });
});

test('a node that is not Ready carries the not-ready taint; none at all has its own message', () => {
  const r = schedule(pod('p'), [node('node-0', { ready: false })], new Map());
  assert.deepEqual(r, {
    ok: false,
    message: '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.',
  });
  assert.deepEqual(schedule(pod('p'), [], new Map()), {
    ok: false,
    message: 'no nodes available to schedule pods',
  });
});

test('toleration matching: Equal compares values, an empty effect matches every effect', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoExecute' as const };
  assert.ok(tolerates({ key: 'k', operator: 'Equal', value: 'v' }, taint));
  assert.ok(!tolerates({ key: 'k', operator: 'Equal', value: 'w' }, taint));
  assert.ok(!tolerates({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint));
  assert.ok(tolerates({ operator: 'Exists' }, taint));
});

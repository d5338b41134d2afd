// kubectl's AGE and table formats, and the Service columns from the seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, NodeCondition, Service } from '../api/index.js';
import { humanDuration } from './format-age.js';
import { nodeStatus, serviceExternalIp, servicePorts } from './format-columns.js';
import { formatTable } from './format-table.js';

test('AGE follows kubectl: 40s, 115s, 4m9s, 8m49s, 16m, 5h3m, 24h, 8d, 2y', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [40 * s, '40s'],
    [115 * s, '115s'],
    [249 * s, '4m9s'],
    [529 * s, '8m49s'],
    [300 * s, '5m'],
    [16 * 60 * s, '16m'],
    [(5 * 3600 + 180) * s, '5h3m'],
    [24 * 3600 * s, '24h'],
    [(3 * 24 + 5) * 3600 * s, '3d5h'],
    [8 * 24 * 3600 * s, '8d'],
    [2 * 365 * 24 * 3600 * s, '2y'],
    [-500, '0s'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
});

test('tables pad each column to its widest cell plus three spaces', () => {
  assert.equal(formatTable(['NAME', 'AGE'], [['policy1', '5s']]), 'NAME      AGE\npolicy1   5s\n');
});

test('EXTERNAL-IP and PORT(S) as kubectl prints them', () => {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'x' },
    spec: {
      type: 'LoadBalancer',
      ports: [
        { name: 'http', port: 80, nodePort: 31017, protocol: 'TCP' },
        { name: 'https', port: 443, nodePort: 32600, protocol: 'TCP' },
      ],
    },
  };
  assert.equal(servicePorts(svc), '80:31017/TCP,443:32600/TCP');
  assert.equal(serviceExternalIp(svc), '<pending>');
  assert.equal(
    serviceExternalIp({ ...svc, status: { loadBalancer: { ingress: [{ ip: '10.0.10.0' }] } } }),
    '10.0.10.0',
  );
  assert.equal(
    serviceExternalIp({ ...svc, spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] } }),
    '<none>',
  );
  assert.equal(serviceExternalIp({ ...svc, spec: { ...svc.spec, externalIPs: ['192.0.2.1'] } }), '192.0.2.1');
});

test("node STATUS is kubectl's: Ready, NotReady for False and Unknown, Unknown without Ready", () => {
  const node = (conditions: NodeCondition[] | undefined, unschedulable = false): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n' },
    spec: unschedulable ? { unschedulable } : {},
    ...(conditions ? { status: { conditions } } : {}),
  });
  const ready = (status: NodeCondition['status']): NodeCondition[] => [
    { type: 'MemoryPressure', status: 'True' },
    { type: 'Ready', status },
  ];
  assert.equal(nodeStatus(node(ready('True'))), 'Ready');
  assert.equal(nodeStatus(node(ready('False'))), 'NotReady');
  assert.equal(nodeStatus(node(ready('Unknown'))), 'NotReady');
  assert.equal(nodeStatus(node(undefined)), 'Unknown');
  assert.equal(nodeStatus(node([{ type: 'MemoryPressure', status: 'True' }])), 'Unknown');
  assert.equal(nodeStatus(node(ready('True'), true)), 'Ready,SchedulingDisabled');
  assert.equal(nodeStatus(node(undefined, true)), 'Unknown,SchedulingDisabled');
});

// The demo's readers of real tool output (captured from this lab, not invented formats).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planComponents } from '../components.js';
import { arpingReply } from './live.js';
import { inCidr, podRows } from './pods.js';
import { endpointIdWhere, networkingBlock } from './steps-seed003.js';
import { garp } from './steps-story.js';
import { tableCell } from './tools.js';

test('arpingReply reads Habets arping reply lines and ignores the rest', () => {
  const r = arpingReply('42 bytes from 00:0c:29:0d:b7:76 (10.0.10.0): index=0 time=447.198 msec');
  assert.deepEqual(r, { mac: '00:0c:29:0d:b7:76', ip: '10.0.10.0', time: '447.198 msec' });
  assert.equal(arpingReply('Timeout'), undefined);
});

test('garp recognises both gratuitous forms on received broadcast lines only', () => {
  const reply =
    '05:03:19.367621 eth1  B   ifindex 3 00:0c:29:0d:b7:76 ethertype ARP (0x0806), length 64: Reply 10.0.10.0 is-at 00:0c:29:0d:b7:76, length 44';
  assert.deepEqual(garp(reply), { dev: 'eth1', mac: '00:0c:29:0d:b7:76' });
  const announce =
    '05:03:19.4 eth0  B   ifindex 2 00:0c:29:0d:b7:6c ethertype ARP (0x0806), length 64: Request who-has 10.0.10.0 tell 10.0.10.0, length 44';
  assert.deepEqual(garp(announce), { dev: 'eth0', mac: '00:0c:29:0d:b7:6c' });
  const ours =
    '05:03:17.191529 eth1  Out ifindex 3 00:0c:29:e4:f1:a4 ethertype ARP (0x0806), length 64: Request who-has 10.0.10.0 tell 192.168.56.10, length 44';
  assert.equal(garp(ours), undefined);
});

test('tableCell reads a column of a kubectl-style table by row name', () => {
  const table = [
    'NAME                           TYPE           CLUSTER-IP      EXTERNAL-IP   PORT(S)',
    'cilium-ingress-basic-ingress   LoadBalancer   10.96.156.194   <pending>     80:31017/TCP,443:32600/TCP',
  ].join('\n');
  assert.equal(tableCell(table, 'cilium-ingress-basic-ingress', 'EXTERNAL-IP'), '<pending>');
  assert.equal(tableCell(table, 'other', 'EXTERNAL-IP'), undefined);
});

test('planComponents runs what the build has and names what it skipped', () => {
  const none = planComponents({ commands: new Set(['preflight']), agentOptions: new Set() });
  assert.deepEqual(
    none.components.map((c) => c.id),
    ['etcd-server', 'controller-manager-server'],
  );
  assert.equal(none.skipped.length, 2);
  const all = planComponents({
    commands: new Set(['operator', 'agent']),
    agentOptions: new Set(['--node-labels', '--l2-announcements-lease-duration']),
  });
  assert.deepEqual(
    all.components.map((c) => c.id),
    [
      'etcd-server',
      'operator-server',
      'controller-manager-server',
      'agent-server',
      'agent-node-0',
      'agent-node-1',
      ...['kubelet-server', 'kubelet-node-0', 'kubelet-node-1'],
    ],
  );
  // The lab's control plane gets the seed's PodCIDRs and taints the seed's control plane.
  const cm = all.components.find((c) => c.id === 'controller-manager-server')?.argv.join(' ') ?? '';
  assert.ok(cm.includes('lab controller-manager --store etcd://192.168.56.20:2379'), cm);
  assert.ok(
    cm.includes(
      '--node-cidr server=10.200.0.0/24 --node-cidr node-0=10.200.1.0/24 --node-cidr node-1=10.200.2.0/24',
    ),
    cm,
  );
  assert.ok(cm.includes('--control-plane-node server'), cm);
  // The kubelet keeps the host's mount namespace (nsenter --net), so its pod mounts reach the agent.
  const kubelet = all.components.find((c) => c.id === 'kubelet-node-1');
  assert.equal(kubelet?.hostMounts, true);
  assert.match(
    kubelet?.argv.join(' ') ?? '',
    / lab kubelet --node node-1 --store etcd:\/\/192\.168\.56\.20:2379 /,
  );
  const server = all.components.find((c) => c.id === 'agent-server');
  assert.ok(server?.argv.join(' ').includes('--node-labels node-role.kubernetes.io/control-plane='));
  const node1 = all.components.find((c) => c.id === 'agent-node-1')?.argv.join(' ') ?? '';
  assert.ok(!node1.includes('--node-labels'));
  // Timing flags the build knows are passed explicitly; the ones it does not know are left out.
  assert.ok(node1.includes('--l2-announcements-lease-duration 15s'), node1);
  assert.ok(!node1.includes('--l2-announcements-retry-period'), node1);
});

test('podRows reads `get pod -o wide` as the lab prints it', () => {
  const table = [
    'NAME                     READY   STATUS    RESTARTS   AGE   IP             NODE     NOMINATED NODE   READINESS GATES',
    'netpod                   1/1     Running   0          10s   10.200.0.225   server   <none>           <none>',
    'nginx-76b66d6df8-9fxn6   0/1     Pending   0          1s    <none>         <none>   <none>           <none>',
  ].join('\n');
  assert.deepEqual(podRows(table), [
    { name: 'netpod', ready: '1/1', status: 'Running', ip: '10.200.0.225', node: 'server' },
    { name: 'nginx-76b66d6df8-9fxn6', ready: '0/1', status: 'Pending', ip: '<none>', node: '<none>' },
  ]);
});

test('inCidr matches addresses inside the prefix only', () => {
  assert.equal(inCidr('10.200.1.10', '10.200.1.0/24'), true);
  assert.equal(inCidr('10.200.2.10', '10.200.1.0/24'), false);
  assert.equal(inCidr('<none>', '10.200.1.0/24'), false);
  assert.equal(inCidr('10.200.1.10', ''), false);
});

test('networkingBlock cuts the networking object out of `endpoint get`, nested objects included', () => {
  const json = JSON.stringify(
    [
      {
        id: 3,
        status: {
          networking: {
            addressing: [{ ipv4: '10.200.0.225' }],
            'host-addressing': { ipv4: { ip: '10.200.0.181' } },
            mac: 'aa',
          },
          state: 'ready',
        },
      },
    ],
    null,
    2,
  );
  const block = networkingBlock(json);
  assert.match(block, /^ +"networking": \{/);
  assert.match(block, /"mac": "aa"\n +\},?$/);
  assert.doesNotMatch(block, /state/);
});

test('endpointIdWhere finds a row of `endpoint list` by any of its lines', () => {
  const list = [
    'ENDPOINT   POLICY (ingress)   POLICY (egress)   IDENTITY   LABELS (source:key[=value])                       IPv6   IPv4           STATUS',
    '           ENFORCEMENT        ENFORCEMENT',
    '1          Disabled           Disabled          1          k8s:node-role.kubernetes.io/control-plane                               ready',
    '                                                           reserved:host',
    '2          Disabled           Disabled          4          reserved:health                                          10.200.0.46    ready',
    '3          Disabled           Disabled          9196       k8s:app=netpod                                           10.200.0.206   ready',
    '                                                           k8s:io.kubernetes.pod.namespace=default',
  ].join('\n');
  assert.equal(endpointIdWhere(list, /reserved:host/), '1');
  assert.equal(endpointIdWhere(list, /reserved:health/), '2');
  assert.equal(endpointIdWhere(list, / 10\.200\.0\.206 +ready/), '3');
  assert.equal(endpointIdWhere(list, /10\.200\.0\.7 /), undefined);
});

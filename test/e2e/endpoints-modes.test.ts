// Endpoints without endpoint routes and with cluster-pool IPAM (issue: endpoints): the operator
// gives the node a /29 from --cluster-pool-ipv4-cidr on its CiliumNode; the PodCIDR is routed via
// waggle_host, where from_host delivers to the pods; the health endpoint answers on :4240; an
// exhausted PodCIDR says which CIDR is full and leaves nothing allocated.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { sh } from '../../src/testing/exec.js';
import { type Pod, PodLab } from './pod-lab.js';

const NODE = 'cp-node';
const NODE2 = 'cp-node2';

describe('cluster-pool IPAM, PodCIDR via waggle_host', { timeout: 180_000 }, () => {
  const L = new PodLab();
  let operator: ChildProcess | undefined;
  const pods: Pod[] = [];
  let cidr = '';

  before(async () => {
    await L.start(25790 + (process.pid % 100));
    L.addNode(NODE, 13, undefined);
    operator = L.lab.spawnIn(L.lab.sw, 'node', [
      'bin/waggle.js',
      '--store',
      L.lab.etcdUrl,
      'operator',
      '--metrics-addr',
      '127.0.0.1:0',
      '--cluster-pool-ipv4-cidr',
      '10.201.0.0/28',
      '--cluster-pool-ipv4-mask-size',
      '29',
    ]);
    await L.startAgent(NODE);
  });
  after(async () => {
    L.lab.kill(operator, 'SIGTERM');
    await L.destroy();
  });

  test('the operator gives the node a PodCIDR on its CiliumNode; the agent uses it', async () => {
    const cn = JSON.parse(L.lab.store('get', 'CiliumNode', NODE)) as {
      spec: { ipam: { podCIDRs: string[] } };
    };
    cidr = cn.spec.ipam.podCIDRs[0] ?? '';
    assert.match(cidr, /^10\.201\.0\.(0|8)\/29$/);
    const eps = await L.endpoints(NODE);
    assert.equal(eps.node.podCidr, cidr);
    const node = L.nodes.get(NODE)?.node.ns;
    assert.ok(node);
    const routes = node.exec('ip', ['route', 'show', cidr]).stdout;
    assert.match(
      routes,
      new RegExp(`^${cidr.replace(/[./]/g, '\\$&')} via ${eps.node.router} dev waggle_host`, 'm'),
    );
    const links = JSON.parse(node.exec('ip', ['-j', '-d', 'link', 'show', 'waggle_host']).stdout) as Array<{
      flags: string[];
    }>;
    assert.ok(links[0]?.flags.includes('NOARP'), 'ARP off on waggle_host');
  });

  test('pods reach each other and the node through waggle_host; the health endpoint answers', async () => {
    for (let i = 0; i < 4; i++) {
      const p = L.newPod(`small-${i}`);
      await L.add(NODE, p);
      pods.push(p);
    }
    const [a, b] = pods as [Pod, Pod];
    assert.equal(
      a.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', L.podIp(b)], { allowFail: true }).code,
      0,
    );
    const node = L.nodes.get(NODE)?.node.ns;
    assert.ok(node);
    // node → pod: routed into waggle_host, delivered by from_host (no endpoint route).
    assert.doesNotMatch(node.exec('ip', ['route', 'show']).stdout, new RegExp(`^${L.podIp(a)} dev lxc`, 'm'));
    assert.equal(
      node.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', L.podIp(a)], { allowFail: true }).code,
      0,
    );
    const eps = await L.endpoints(NODE);
    const health = eps.endpoints.find((e) => e.kind === 'health');
    assert.ok(health);
    const hello = node.exec(
      'curl',
      ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', `http://${health.ipv4}:4240/hello`],
      { allowFail: true },
    );
    assert.equal(hello.stdout, '200');
  });

  test('an exhausted PodCIDR: the error names the CIDR, code 100, nothing allocated', async () => {
    const before = (await L.endpoints(NODE)).endpoints.length;
    const p = L.newPod('one-too-many');
    const r = await L.cni(NODE, 'ADD', p.att, L.netconf(NODE));
    assert.equal(r.code, 1);
    const err = r.json as { code: number; msg: string };
    assert.equal(err.code, 100);
    assert.match(
      err.msg,
      new RegExp(`${cidr.replace(/[./]/g, '\\$&')}: no free address \\(6/6 allocated\\)`),
    );
    assert.equal((await L.endpoints(NODE)).endpoints.length, before);
    assert.equal(
      p.ns.exec('ip', ['link', 'show', 'eth0'], { allowFail: true }).code,
      1,
      'no eth0 in the pod',
    );
    // One DEL frees one address for the next ADD.
    assert.equal((await L.del(NODE, pods[0] as Pod)).code, 0);
    await L.add(NODE, p);
  });

  test('the ipcache holds the cluster: the other node (6), its health endpoint (4), its pods with their node', async () => {
    L.addNode(NODE2, 16, undefined);
    await L.startAgent(NODE2);
    const p = L.newPod('remote-pod');
    await L.add(NODE2, p);
    const other = await L.endpoints(NODE2);
    const ep = other.endpoints.find((e) => e.podName === 'remote-pod');
    const health = other.endpoints.find((e) => e.kind === 'health');
    assert.ok(ep && health);
    const node2Ip = '10.98.0.16';
    const want = [
      new RegExp(
        `^${L.podIp(p)}/32\\s+identity=${ep.identity} encryptkey=0 tunnelendpoint=${node2Ip} flags=skiptunnel$`,
        'm',
      ),
      new RegExp(`^${node2Ip}/32\\s+identity=6 `, 'm'),
      new RegExp(`^${other.node.router}/32\\s+identity=6 `, 'm'),
      new RegExp(`^${health.ipv4}/32\\s+identity=4 encryptkey=0 tunnelendpoint=${node2Ip} `, 'm'),
    ];
    let list = '';
    for (let i = 0; i < 50; i++) {
      list = sh('node', ['bin/waggle.js', 'bpf', 'ipcache', 'list', '--api-socket', L.socket(NODE)], {
        timeoutMs: 10_000,
      }).stdout;
      if (want.every((r) => r.test(list))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const r of want) assert.match(list, r);
    // The pod goes: its entry goes from the other node's ipcache too.
    assert.equal((await L.del(NODE2, p)).code, 0);
    for (let i = 0; i < 50 && list.includes(`${L.podIp(p)}/32`); i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = sh('node', ['bin/waggle.js', 'bpf', 'ipcache', 'list', '--api-socket', L.socket(NODE)], {
        timeoutMs: 10_000,
      }).stdout;
    }
    assert.ok(!list.includes(`${L.podIp(p)}/32`), list);
  });
});

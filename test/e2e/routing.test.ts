// Pod traffic between nodes and out of the cluster (issue: routing): two nodes on one L2
// segment with --auto-direct-node-routes and a native routing CIDR, pods on both, and a
// "jumpbox" outside the pod network. Pods reach each other with their own addresses, reach the
// jumpbox with their node's (iptables masquerade), an ip-masq-agent change applies without a
// restart, node routes follow CiliumNodes and leave foreign routes alone, cluster health sees
// both nodes, and a SIGKILLed agent drops no packet of flows in progress.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sh } from '../../src/testing/exec.js';
import type { TestNetns } from '../../src/testing/netns.js';
import { sleep } from './agent-lab.js';
import { type Pod, PodLab } from './pod-lab.js';
import { capture } from './tcpdump.js';
import { parallelConnections } from './parallel-connections.js';

const A = 'rt-a';
const B = 'rt-b';
const JUMPBOX = '10.98.0.10';

describe('native routing, node routes, masquerade, cluster health', { timeout: 240_000 }, () => {
  const L = new PodLab();
  const dir = mkdtempSync(join(tmpdir(), 'waggle-masq-'));
  const masqConfig = join(dir, 'ip-masq-agent');
  let jb: TestNetns;
  let pa: Pod;
  let pb: Pod;
  const flags = [
    '--enable-endpoint-routes',
    '--auto-direct-node-routes',
    '--ipv4-native-routing-cidr',
    '10.200.0.0/16',
    '--enable-ip-masq-agent',
    '--ip-masq-agent-config-path',
    masqConfig,
  ];
  const nodeNs = (n: string) => L.nodes.get(n)?.node.ns as TestNetns;

  before(async () => {
    writeFileSync(masqConfig, 'nonMasqueradeCIDRs: []\n');
    await L.start(28790 + (process.pid % 100));
    L.addNode(A, 21, '10.200.1.0/24', flags);
    L.addNode(B, 22, '10.200.2.0/24', flags);
    const j = L.lab.addHost('jumpbox', 10);
    L.lab.nodes.push(j);
    jb = j.ns;
    await L.startAgent(A);
    await L.startAgent(B);
    pa = L.newPod('pa');
    pb = L.newPod('pb');
    await L.add(A, pa);
    await L.add(B, pb);
  });
  after(async () => {
    await L.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('node routes: each node routes the other PodCIDR via the other node, protocol 195', async () => {
    let routes = '';
    for (let i = 0; i < 50 && !/10\.200\.2\.0\/24/.test(routes); i++) {
      await sleep(100);
      routes = nodeNs(A).exec('ip', ['route', 'show']).stdout;
    }
    assert.match(routes, /^10\.200\.2\.0\/24 via 10\.98\.0\.22 dev eth1 proto 195/m);
    assert.match(
      nodeNs(B).exec('ip', ['route', 'show']).stdout,
      /^10\.200\.1\.0\/24 via 10\.98\.0\.21 dev eth1 proto 195/m,
    );
  });

  test('pods on two nodes reach each other with their own addresses (ICMP, TCP, UDP)', async () => {
    const cap = capture(pb.ns, 'eth0', 'icmp');
    await cap.ready;
    assert.equal(
      pa.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', L.podIp(pb)], { allowFail: true }).code,
      0,
    );
    assert.match(
      await cap.line,
      new RegExp(
        `IP ${L.podIp(pa).replace(/\./g, '\\.')} > ${L.podIp(pb).replace(/\./g, '\\.')}: ICMP echo request`,
      ),
    );
    const server = pb.ns.execAsync(
      'node',
      [
        '-e',
        "const n=require('net'),d=require('dgram');n.createServer(s=>s.end(s.remoteAddress+'\\n')).listen(8080);const u=d.createSocket('udp4');u.on('message',(m,r)=>u.send(r.address,r.port,r.address));u.bind(8081);setTimeout(()=>process.exit(0),5000)",
      ],
      10_000,
    );
    await sleep(600);
    const tcp = pa.ns.exec('curl', ['-s', '--max-time', '3', `telnet://${L.podIp(pb)}:8080`], {
      allowFail: true,
    });
    assert.equal(
      tcp.stdout.trim().replace(/^::ffff:/, ''),
      L.podIp(pa),
      "the server saw the pod's own address",
    );
    const udp = pa.ns.exec(
      'node',
      [
        '-e',
        `const u=require('dgram').createSocket('udp4');u.on('message',m=>{console.log(String(m));process.exit(0)});u.send('x',8081,'${L.podIp(pb)}');setTimeout(()=>process.exit(1),3000)`,
      ],
      { allowFail: true },
    );
    assert.equal(udp.stdout.trim(), L.podIp(pa));
    await server;
  });

  test("a pod reaching the jumpbox arrives with its node's address, and the reply comes back", async () => {
    const cap = capture(jb, 'eth1', 'icmp');
    await cap.ready;
    assert.equal(
      pa.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', JUMPBOX], { allowFail: true }).code,
      0,
    );
    assert.match(await cap.line, /IP 10\.98\.0\.21 > 10\.98\.0\.10: ICMP echo request/);
    const nat = nodeNs(A).exec('iptables-save', ['-t', 'nat']).stdout;
    assert.match(nat, /-A POSTROUTING .*-j WAGGLE_POST_nat/);
    assert.equal((nat.match(/-j WAGGLE_POST_nat/g) ?? []).length, 1);
  });

  test('200 parallel connections from two pods to one jumpbox port all work', async () => {
    const pc = L.newPod('pc');
    await L.add(A, pc);
    assert.deepEqual(await parallelConnections(jb, JUMPBOX, [pa.ns, pc.ns]), [100, 100]);
  });

  test('an ip-masq-agent change applies without a restart', async () => {
    writeFileSync(masqConfig, 'nonMasqueradeCIDRs:\n  - 10.98.0.0/24\n');
    let nat = '';
    for (let i = 0; i < 60 && !/10\.98\.0\.0\/24/.test(nat); i++) {
      await sleep(100);
      nat = nodeNs(A).exec('iptables-save', ['-t', 'nat']).stdout;
    }
    assert.match(nat, /-A WAGGLE_POST_nat -d 10\.98\.0\.0\/24 .*-j RETURN/);
    const cap = capture(jb, 'eth1', 'icmp');
    await cap.ready;
    pa.ns.exec('ping', ['-c', '1', '-W', '1', JUMPBOX], { allowFail: true });
    // Not masqueraded now: the jumpbox sees the pod's own address (and has no route back).
    assert.match(await cap.line, new RegExp(`IP ${L.podIp(pa).replace(/\./g, '\\.')} > 10\\.98\\.0\\.10`));
    writeFileSync(masqConfig, 'nonMasqueradeCIDRs: []\n');
  });

  test('node routes follow CiliumNodes; a foreign route is left alone', async () => {
    nodeNs(A).exec('ip', ['route', 'add', '10.250.0.0/24', 'via', '10.98.0.22', 'proto', 'static']);
    L.lab.store(
      'put',
      JSON.stringify({
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNode',
        metadata: { name: 'rt-c' },
        spec: {
          addresses: [{ type: 'InternalIP', ip: '10.98.0.23' }],
          ipam: { podCIDRs: ['10.200.3.0/24'] },
        },
      }),
    );
    const t0 = Date.now();
    let routes = '';
    while (Date.now() - t0 < 5000 && !/10\.200\.3\.0\/24/.test(routes)) {
      await sleep(50);
      routes = nodeNs(A).exec('ip', ['route', 'show']).stdout;
    }
    const took = Date.now() - t0;
    assert.match(routes, /^10\.200\.3\.0\/24 via 10\.98\.0\.23 dev eth1 proto 195/m);
    process.stdout.write(`# node added → route on the other node in ${took} ms\n`);
    L.lab.store('delete', 'CiliumNode', 'rt-c');
    for (let i = 0; i < 50 && /10\.200\.3\.0\/24/.test(routes); i++) {
      await sleep(100);
      routes = nodeNs(A).exec('ip', ['route', 'show']).stdout;
    }
    assert.doesNotMatch(routes, /10\.200\.3\.0\/24/);
    assert.match(routes, /^10\.250\.0\.0\/24 via 10\.98\.0\.22 dev eth1 proto static/m, 'foreign route kept');
  });

  test('cluster health: both nodes reachable (ICMP to the node, HTTP to its health endpoint)', async () => {
    let out = '';
    for (let i = 0; i < 100 && !/2\/2 reachable/.test(out); i++) {
      await sleep(200);
      out = sh('node', ['bin/waggle.js', 'status', '--api-socket', L.socket(A)], {
        timeoutMs: 10_000,
      }).stdout;
    }
    assert.match(out, /Cluster health:\s+2\/2 reachable/);
    assert.match(out, /Routing:\s+Network: Native\s+Host: Legacy/);
    assert.match(out, /Masquerading:\s+IPTables \[IPv4: Enabled, IPv6: Disabled\]/);
    const hs = sh('node', ['bin/waggle.js', 'health', 'status', '--api-socket', L.socket(A)], {
      timeoutMs: 10_000,
    }).stdout;
    assert.match(hs, new RegExp(`${B}`));
    // Both paths of every node: the node's address (the agent listens on 4240) and its health endpoint.
    assert.equal((hs.match(/HTTP to agent:\s+OK, RTT=/g) ?? []).length, 4, hs);
    assert.equal((hs.match(/ICMP to stack:\s+OK, RTT=/g) ?? []).length, 4, hs);
  });

  test('agent SIGKILL and restart: pod-to-pod and masqueraded flows in progress lose nothing', async () => {
    const flow = (p: Pod, to: string) => {
      const c = spawn('ip', ['netns', 'exec', p.ns.name, 'ping', '-i', '0.02', '-w', '8', '-W', '1', to], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      c.stdout.on('data', (d) => {
        out += d;
      });
      return new Promise<string>((res) => c.once('close', () => res(out)));
    };
    const flows = [flow(pa, L.podIp(pb)), flow(pa, JUMPBOX)];
    await sleep(1500);
    await L.killAgent(A, 'SIGKILL');
    await sleep(800);
    await L.startAgent(A);
    for (const out of await Promise.all(flows)) {
      const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
      assert.ok(m, out.slice(-200));
      assert.ok(Number(m[1]) > 200);
      assert.equal(m[1], m[2], m[0]);
    }
  });
});

// eBPF host routing and eBPF masquerading (issue: routing), on the routing e2e's lab: two nodes
// on one L2 segment with --auto-direct-node-routes, pods on both, a "jumpbox" outside the pod
// network, and agents with --enable-bpf-masquerade --enable-host-legacy-routing=false. Pods
// reach each other with their own addresses without crossing the nodes' FORWARD chains (the FIB
// redirect skips the host stack); the jumpbox sees the node's address and `waggle bpf nat list`
// the flows; 200 parallel connections get distinct ports; an ip-masq-agent change applies
// without a restart; iptables leftovers of an earlier run are removed; a SIGKILLed agent loses
// no packet of flows in progress, masqueraded TCP included (the NAT map is pinned).
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

const A = 'rb-a';
const B = 'rb-b';
const JUMPBOX = '10.98.0.10';
const NODE_A = '10.98.0.21';
const esc = (ip: string) => ip.replace(/\./g, '\\.');

describe('eBPF host routing and eBPF masquerading', { timeout: 240_000 }, () => {
  const L = new PodLab();
  const dir = mkdtempSync(join(tmpdir(), 'waggle-bpfmasq-'));
  const masqConfig = join(dir, 'ip-masq-agent');
  let jb: TestNetns;
  let pa: Pod;
  let pb: Pod;
  const flags = [
    '--enable-endpoint-routes',
    '--auto-direct-node-routes',
    '--ipv4-native-routing-cidr',
    '10.200.0.0/16',
    '--enable-bpf-masquerade',
    '--enable-host-legacy-routing=false',
    '--enable-ip-masq-agent',
    '--ip-masq-agent-config-path',
    masqConfig,
  ];
  const nodeNs = (n: string) => L.nodes.get(n)?.node.ns as TestNetns;
  const waggle = (...args: string[]) =>
    sh('node', ['bin/waggle.js', ...args, '--api-socket', L.socket(A)], { timeoutMs: 10_000 }).stdout;
  /** Packets node `n`'s FORWARD chain counted for `ip` (either direction): the host stack's view. */
  const forwarded = (n: string, ip: string) =>
    nodeNs(n)
      .exec('iptables', ['-w', '5', '-L', 'FORWARD', '-v', '-x', '-n'])
      .stdout.split('\n')
      .filter((l) => l.includes(ip))
      .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0] ?? 0), 0);

  before(async () => {
    writeFileSync(masqConfig, 'nonMasqueradeCIDRs: []\n');
    await L.start(28690 + (process.pid % 100));
    L.addNode(A, 21, '10.200.1.0/24', flags);
    L.addNode(B, 22, '10.200.2.0/24', flags);
    const j = L.lab.addHost('jumpbox', 10);
    L.lab.nodes.push(j);
    jb = j.ns;
    // What an earlier agent in iptables mode left behind: the eBPF mode must remove it.
    sh('ip', ['netns', 'exec', nodeNs(A).name, 'iptables-restore', '-w', '5', '--noflush'], {
      input:
        '*nat\n:WAGGLE_POST_nat - [0:0]\n-A POSTROUTING -m comment --comment "waggle: old run" -j WAGGLE_POST_nat\nCOMMIT\n',
    });
    await L.startAgent(A);
    await L.startAgent(B);
    pa = L.newPod('pa');
    pb = L.newPod('pb');
    await L.add(A, pa);
    await L.add(B, pb);
    for (const [n, ip] of [
      [A, L.podIp(pa)],
      [B, L.podIp(pb)],
    ] as const) {
      nodeNs(n).exec('iptables', ['-w', '5', '-I', 'FORWARD', '-s', ip]);
      nodeNs(n).exec('iptables', ['-w', '5', '-I', 'FORWARD', '-d', ip]);
    }
  });
  after(async () => {
    await L.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('status: Host: BPF, Masquerading: BPF on eth1; no iptables masquerade rules (old ones removed)', () => {
    const out = waggle('status');
    assert.match(out, /Routing:\s+Network: Native\s+Host: BPF/);
    assert.match(
      out,
      /Masquerading:\s+BPF {3}\[eth1\] {3}10\.200\.0\.0\/16 \[IPv4: Enabled, IPv6: Disabled\]/,
    );
    const nat = nodeNs(A).exec('iptables-save', ['-t', 'nat']).stdout;
    assert.doesNotMatch(nat, /WAGGLE_POST_nat/);
    assert.match(L.logs.get(A) ?? '', /host routing: BPF/);
  });

  test('pods on two nodes reach each other with their own addresses, past the host stack', async () => {
    let routes = '';
    for (let i = 0; i < 50 && !/10\.200\.2\.0\/24/.test(routes); i++) {
      await sleep(100);
      routes = nodeNs(A).exec('ip', ['route', 'show']).stdout;
    }
    const cap = capture(pb.ns, 'eth0', 'icmp');
    await cap.ready;
    const ping = pa.ns.exec('ping', ['-c', '3', '-i', '0.2', '-W', '2', L.podIp(pb)], { allowFail: true });
    assert.equal(ping.code, 0, ping.stdout);
    assert.match(
      await cap.line,
      new RegExp(`IP ${esc(L.podIp(pa))} > ${esc(L.podIp(pb))}: ICMP echo request`),
    );
    const server = pb.ns.execAsync(
      'node',
      [
        '-e',
        "require('net').createServer(s=>s.end(s.remoteAddress+'\\n')).listen(8080);setTimeout(()=>process.exit(0),4000)",
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
    await server;
    // eBPF host routing: from_container redirected to eth1 and from_netdev into the pod, so
    // neither node's FORWARD chain saw one of these packets.
    assert.equal(forwarded(A, L.podIp(pa)), 0, 'node A forwarded pod A traffic through its stack');
    assert.equal(forwarded(B, L.podIp(pb)), 0, 'node B forwarded pod B traffic through its stack');
  });

  test('cluster health: both nodes reach each other’s health endpoints, unmasqueraded', async () => {
    let out = '';
    for (let i = 0; i < 100 && !/2\/2 reachable/.test(out); i++) {
      await sleep(200);
      out = waggle('status');
    }
    assert.match(out, /Cluster health:\s+2\/2 reachable/);
    // A pod's reply to another node is never masqueraded (that node is not "outside").
    assert.doesNotMatch(waggle('bpf', 'nat', 'list'), /:4240 /);
  });

  test("a pod reaching the jumpbox arrives with its node's address; `waggle bpf nat list` shows the flow", async () => {
    const cap = capture(jb, 'eth1', 'icmp');
    await cap.ready;
    const ping = pa.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', JUMPBOX], { allowFail: true });
    assert.equal(ping.code, 0, ping.stdout);
    assert.match(await cap.line, new RegExp(`IP ${esc(NODE_A)} > ${esc(JUMPBOX)}: ICMP echo request`));
    const nat = waggle('bpf', 'nat', 'list');
    process.stdout.write(`# waggle bpf nat list\n${nat.replace(/^/gm, '# ')}\n`);
    assert.match(
      nat,
      new RegExp(
        `^ICMP OUT ${esc(L.podIp(pa))}:\\d+ -> ${esc(JUMPBOX)}:0 XLATE_SRC ${esc(NODE_A)}:\\d+ Created=\\d+sec ago NeedsCT=0$`,
        'm',
      ),
    );
    assert.match(
      nat,
      new RegExp(
        `^ICMP IN ${esc(JUMPBOX)}:0 -> ${esc(NODE_A)}:\\d+ XLATE_DST ${esc(L.podIp(pa))}:\\d+ `,
        'm',
      ),
    );
    assert.equal(forwarded(A, L.podIp(pa)), 0, 'the masqueraded flow went past the stack too');
  });

  test('200 parallel connections from two pods to one jumpbox port all work, each on its own port', async () => {
    const pc = L.newPod('pc');
    await L.add(A, pc);
    assert.deepEqual(await parallelConnections(jb, JUMPBOX, [pa.ns, pc.ns]), [100, 100]);
    const ports = waggle('bpf', 'nat', 'list')
      .split('\n')
      .map((l) => new RegExp(`^TCP IN ${esc(JUMPBOX)}:9000 -> ${esc(NODE_A)}:(\\d+) `).exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
    assert.equal(ports.length, 200, 'one IN entry per connection');
    assert.equal(new Set(ports).size, 200, 'every connection got its own node port');
  });

  test('an ip-masq-agent change applies without a restart', async () => {
    writeFileSync(masqConfig, 'nonMasqueradeCIDRs:\n  - 10.98.0.0/24\n');
    let rows = '';
    for (let i = 0; i < 60 && !/10\.98\.0\.0\/24/.test(rows); i++) {
      await sleep(100);
      rows = waggle('map', 'get', 'waggle_ipmasq_v4');
    }
    assert.match(rows, /10\.98\.0\.0\/24/);
    const cap = capture(jb, 'eth1', 'icmp');
    await cap.ready;
    pa.ns.exec('ping', ['-c', '1', '-W', '1', JUMPBOX], { allowFail: true });
    // Not masqueraded now: the jumpbox sees the pod's own address (and has no route back).
    assert.match(await cap.line, new RegExp(`IP ${esc(L.podIp(pa))} > ${esc(JUMPBOX)}`));
    writeFileSync(masqConfig, 'nonMasqueradeCIDRs: []\n');
    for (let i = 0; i < 60 && /10\.98\.0\.0\/24/.test(rows); i++) {
      await sleep(100);
      rows = waggle('map', 'get', 'waggle_ipmasq_v4');
    }
    assert.doesNotMatch(rows, /10\.98\.0\.0\/24/);
  });

  test('agent SIGKILL and restart: pod-to-pod, masqueraded ICMP and a masqueraded TCP connection lose nothing', async () => {
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
    // One TCP connection through the NAT map for the whole restart: a line every 50 ms, echoed.
    const echo = jb.execAsync(
      'node',
      ['-e', "require('net').createServer(s=>s.pipe(s)).listen(9100);setTimeout(()=>process.exit(0),12000)"],
      15_000,
    );
    await sleep(500);
    const tcp = pa.ns.execAsync(
      'node',
      [
        '-e',
        `const s=require('net').connect(9100,'${JUMPBOX}');let sent=0,got='';s.on('data',d=>got+=d);s.on('error',e=>{console.log('error '+e.code);process.exit(1)});const t=setInterval(()=>{s.write('x\\n');sent++},50);setTimeout(()=>{clearInterval(t);setTimeout(()=>{console.log(sent+' '+got.length/2);process.exit(0)},500)},7500)`,
      ],
      15_000,
    );
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
    const [sent, echoed] = (await tcp).stdout.trim().split(' ');
    assert.ok(Number(sent) > 100, `only ${sent} lines sent`);
    assert.equal(echoed, sent, 'every line of the masqueraded TCP connection came back');
    await echo;
    assert.match(waggle('status'), /Host: BPF/);
  });
});

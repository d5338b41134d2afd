// Service load balancing, first layer (issue 14): a ClusterIP Service with two backend pods on two
// nodes, written to the store with its EndpointSlice (no control plane), reached from a client
// pod whose processes live in node A's cgroup subtree — the one A's agent attached socket LB to.
// Curls reach both backends and the client's own packets carry only backend addresses; a UDP
// reply shows the service as its source (recvmsg4) and a TCP peer is the service (getpeername4);
// a Service with no ready backend refuses at once; a client outside the node's cgroup is served
// by the per-packet LB instead; a SIGKILLed agent keeps every ID and every connection; a removed
// Service leaves no row.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fetchJson } from '../../src/agent/api-client.js';
import type { RunResult } from '../../src/lib/exec.js';
import { sh, shAsync } from '../../src/testing/exec.js';
import { sleep } from './agent-lab.js';
import { captureLines } from './tcpdump.js';
import { type Pod, PodLab } from './pod-lab.js';

const A = 'svc-a';
const B = 'svc-b';
const VIP = '10.96.100.10';
const EMPTY_VIP = '10.96.100.11';
const METRICS_PORT = 9963;
const CT_MAX = 512;

interface Listing {
  columns: string[];
  rows: string[][];
}

// A backend: HTTP on 8080 answering its name (keep-alive), UDP echo on 5353 answering its name.
const responder = (name: string) =>
  `const h=require('http'),d=require('dgram');h.createServer((q,s)=>s.end('${name}')).listen(8080);` +
  `const u=d.createSocket('udp4');u.on('message',(m,r)=>u.send('${name}',r.port,r.address));u.bind(5353);` +
  'setTimeout(()=>process.exit(0),170000)';

describe('services: socket LB for a ClusterIP with backends on two nodes', { timeout: 240_000 }, () => {
  const L = new PodLab();
  const flags = [
    '--enable-endpoint-routes',
    '--auto-direct-node-routes',
    '--ipv4-native-routing-cidr',
    '10.200.0.0/16',
  ];
  const servers: ChildProcess[] = [];
  let client: Pod;
  let be1: Pod;
  let be2: Pod;
  let cgA = '';

  /** Runs `cmd` in the client pod's netns and in node A's cgroup (where socket LB applies). */
  const inClient = (cmd: string[], timeoutMs = 30_000): Promise<RunResult> =>
    shAsync(
      'sh',
      ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgA, 'ip', 'netns', 'exec', client.ns.name, ...cmd],
      timeoutMs,
    );
  const nodeScript = (js: string, timeoutMs = 30_000) => inClient(['node', '-e', js], timeoutMs);
  const lb = () => fetchJson<Listing>(L.socket(A), '/v1/lb');
  const services = () => fetchJson<Listing>(L.socket(A), '/v1/services');
  const put = (obj: unknown) => L.lab.store('put', JSON.stringify(obj));

  async function until(what: string, fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await fn()) return;
      await sleep(100);
    }
    assert.fail(`timed out waiting for ${what}:\n${(await lb()).rows.map((r) => r.join('  ')).join('\n')}`);
  }

  function slice(name: string, svc: string, endpoints: unknown[]) {
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
      addressType: 'IPv4',
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'dns', port: 5353, protocol: 'UDP' },
      ],
      endpoints,
    };
  }
  const service = (name: string, ip: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      ports: [
        // Named target ports: resolved through the slice's ports, as kube-proxy does.
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
      ],
    },
  });

  /** 40 curls to the ClusterIP in one client process; the names that answered, counted. */
  async function curls(n = 40): Promise<Map<string, number>> {
    const r = await inClient(
      ['sh', '-c', `for i in $(seq ${n}); do curl -s --max-time 2 http://${VIP}/; echo; done`],
      60_000,
    );
    const seen = new Map<string, number>();
    for (const l of r.stdout.split('\n').filter(Boolean)) seen.set(l, (seen.get(l) ?? 0) + 1);
    return seen;
  }

  before(async () => {
    assert.ok(L.lab.cgroupRoot, 'this host has a cgroup2 mount');
    await L.start(28890 + (process.pid % 100));
    // Node A's TCP conntrack map holds 512 entries: the per-packet flows of the first tests fit (an
    // LRU map may evict well before it is full: free entries sit in per-CPU lists), and the
    // --bpf-lb-sock=false test overflows it on purpose.
    L.addNode(A, 31, '10.200.1.0/24', [
      ...flags,
      '--bpf-ct-global-tcp-max',
      String(CT_MAX),
      '--map-sample-interval',
      '200ms',
      '--metrics-addr',
      `127.0.0.1:${METRICS_PORT}`,
    ]);
    L.addNode(B, 32, '10.200.2.0/24', flags);
    cgA = `${L.lab.cgroupRoot}/${A}`;
    await L.startAgent(A);
    await L.startAgent(B);
    client = L.newPod('client');
    be1 = L.newPod('be1');
    be2 = L.newPod('be2');
    await L.add(A, client);
    await L.add(A, be1);
    await L.add(B, be2);
    mkdirSync(cgA, { recursive: true });
    for (const [pod, name] of [
      [be1, 'be1'],
      [be2, 'be2'],
    ] as const) {
      const p = spawn('ip', ['netns', 'exec', pod.ns.name, 'node', '-e', responder(name)], {
        stdio: 'ignore',
      });
      servers.push(p);
    }
    put(service('web', VIP));
    put(
      slice('web-1', 'web', [
        { addresses: [L.podIp(be1)], conditions: { ready: true }, nodeName: A },
        { addresses: [L.podIp(be2)], conditions: { ready: true }, nodeName: B },
      ]),
    );
    await until('the service rows on node A', async () => (await lb()).rows.length === 6);
    await sleep(500); // the responders listening
  });
  after(async () => {
    for (const p of servers) if (p.pid !== undefined && p.exitCode === null) process.kill(p.pid, 'SIGKILL');
    await L.destroy();
  });

  test('service list and bpf lb list show the Service as Cilium does', async (t) => {
    const s = await services();
    assert.deepEqual(s.columns, ['ID', 'Frontend', 'Service Type', 'Backend']);
    const [b1, b2] = [L.podIp(be1), L.podIp(be2)].sort(
      (x, y) => Number(x.split('.')[2]) - Number(y.split('.')[2]),
    );
    assert.deepEqual(s.rows, [
      ['1', `${VIP}:53/UDP`, 'ClusterIP', `1 => ${b1}:5353/UDP (active)`],
      ['', '', '', `2 => ${b2}:5353/UDP (active)`],
      ['2', `${VIP}:80/TCP`, 'ClusterIP', `1 => ${b1}:8080/TCP (active)`],
      ['', '', '', `2 => ${b2}:8080/TCP (active)`],
    ]);
    const m = await lb();
    assert.deepEqual(m.columns, ['SERVICE ADDRESS', 'BACKEND ADDRESS (REVNAT_ID) (SLOT)']);
    assert.deepEqual(m.rows.slice(3), [
      [`${VIP}:80/TCP (0)`, '0.0.0.0:0 (2) (0) [ClusterIP, non-routable]'],
      [`${VIP}:80/TCP (1)`, `${b1}:8080/TCP (2) (1)`],
      [`${VIP}:80/TCP (2)`, `${b2}:8080/TCP (2) (2)`],
    ]);
    const cli = sh('node', ['bin/waggle.js', 'bpf', 'lb', 'list', '--api-socket', L.socket(A)]);
    assert.match(cli.stdout, /^SERVICE ADDRESS +BACKEND ADDRESS \(REVNAT_ID\) \(SLOT\)\n/);
    const status = sh('node', ['bin/waggle.js', 'status', '--api-socket', L.socket(A)]).stdout;
    const list = sh('node', ['bin/waggle.js', 'service', 'list', '--api-socket', L.socket(A)]).stdout;
    t.diagnostic(`\n${list}\n${cli.stdout}\n${status}`);
    assert.match(status, /^KubeProxyReplacement: {3}True {3}\[eth1 {3}10\.98\.0\.31 \(Direct Routing\)\]$/m);
    assert.match(status, /^Services: +2 frontends, 4 backends \(socket LB on .*\/svc-a\)$/m);
  });

  test('40 curls reach both backends, and the client pod sends only to backend addresses', async (t) => {
    const cap = captureLines(['ip', 'netns', 'exec', client.ns.name], 'eth0', 'tcp or udp', 20);
    await cap.ready;
    const seen = await curls();
    await sleep(300);
    const lines = await cap.stop();
    const dump = lines.join('\n');
    assert.equal(
      (seen.get('be1') ?? 0) + (seen.get('be2') ?? 0),
      40,
      `answers: ${JSON.stringify([...seen])}`,
    );
    assert.ok(
      (seen.get('be1') ?? 0) > 0 && (seen.get('be2') ?? 0) > 0,
      `both answered: ${JSON.stringify([...seen])}`,
    );
    t.diagnostic(`answers ${JSON.stringify([...seen])}; first packets:\n${lines.slice(0, 3).join('\n')}`);
    assert.ok(lines.length >= 40, `captured ${lines.length} packets`);
    assert.ok(
      !dump.includes(VIP),
      `no packet carries the service address:\n${lines.filter((l) => l.includes(VIP)).join('\n')}`,
    );
    for (const ip of [L.podIp(be1), L.podIp(be2)])
      assert.ok(dump.includes(`${ip}.8080`), `packets to ${ip}:8080`);
  });

  test('UDP: the reply comes from the service address (recvmsg4); a TCP peer is the service (getpeername4)', async () => {
    const udp = await nodeScript(
      `const u=require('dgram').createSocket('udp4');u.on('message',(m,r)=>{console.log(String(m),r.address,r.port);process.exit(0)});` +
        `u.send('q',53,'${VIP}');setTimeout(()=>process.exit(1),3000)`,
    );
    assert.match(udp.stdout.trim(), new RegExp(`^be[12] ${VIP.replace(/\./g, '\\.')} 53$`), udp.stderr);
    const tcp = await nodeScript(
      `const s=require('net').connect(80,'${VIP}',()=>{console.log(s.remoteAddress,s.remotePort);s.destroy()});` +
        `s.on('error',e=>{console.log(e.code);process.exit(1)})`,
    );
    assert.equal(tcp.stdout.trim(), `${VIP} 80`);
  });

  test('a Service with no ready backend refuses a connect at once (< 100 ms)', async (t) => {
    put(service('empty', EMPTY_VIP));
    put(
      slice('empty-1', 'empty', [{ addresses: [L.podIp(be1)], conditions: { ready: false }, nodeName: A }]),
    );
    await until('the empty service', async () =>
      (await lb()).rows.some((r) => r[0] === `${EMPTY_VIP}:80/TCP (0)` && r[1]?.startsWith('0.0.0.0:0')),
    );
    const r = await nodeScript(
      `const t=process.hrtime.bigint();const s=require('net').connect(80,'${EMPTY_VIP}');` +
        "s.on('connect',()=>{console.log('connected');process.exit(1)});" +
        "s.on('error',e=>{console.log(e.code,Number(process.hrtime.bigint()-t)/1e6);process.exit(0)})",
    );
    const [code, ms] = r.stdout.trim().split(' ');
    assert.equal(code, 'ECONNREFUSED', r.stdout + r.stderr);
    assert.ok(Number(ms) < 100, `refused after ${ms} ms`);
    t.diagnostic(`${code} after ${ms} ms`);
  });

  test('agent SIGKILL and restart: 100 keep-alive connections and new ones keep working, IDs stay', async (t) => {
    const before = await services();
    // 100 keep-alive connections, each making a request every 100 ms for 8 s across the kill and
    // the restart; refused or broken ones are counted. Sockets are counted as objects: two
    // connections to different backends may share a local port.
    const longLived = nodeScript(
      "const h=require('http');let ok=0,bad=0,socks=new Set();const ts=[];" +
        'for(let c=0;c<100;c++){const a=new h.Agent({keepAlive:true,maxSockets:1});' +
        `const go=()=>{const q=h.get({host:'${VIP}',port:80,agent:a},r=>{socks.add(r.socket);r.resume();r.on('end',()=>{ok++})});q.on('error',()=>bad++)};` +
        'ts.push(setInterval(go,100))}' +
        'setTimeout(()=>{ts.forEach(clearInterval);setTimeout(()=>{console.log(ok,bad,socks.size);process.exit(0)},500)},8000)',
      20_000,
    );
    await sleep(1000);
    await L.killAgent(A, 'SIGKILL');
    const during = await curls(10);
    await L.startAgent(A);
    await until('the restarted agent has synced', async () => (await lb()).rows.length === 8);
    const [ok, bad, sockets] = (await longLived).stdout.trim().split(' ').map(Number);
    t.diagnostic(
      `keep-alive: ${ok} ok, ${bad} failed, ${sockets} socket(s); while down: ${JSON.stringify([...during])}`,
    );
    assert.equal(bad, 0, 'no refused or broken request on the keep-alive connections');
    assert.ok((ok ?? 0) > 5000, `${ok} requests`);
    assert.equal(sockets, 100, 'the same 100 connections throughout');
    assert.equal(
      (during.get('be1') ?? 0) + (during.get('be2') ?? 0),
      10,
      'new connections while the agent was down',
    );
    const afterRestart = await services();
    assert.deepEqual(
      afterRestart.rows.filter((r) => r[1]?.startsWith(VIP)),
      before.rows.filter((r) => r[1]?.startsWith(VIP)),
      'same service IDs and backends',
    );
    const seen = await curls(20);
    assert.ok((seen.get('be1') ?? 0) > 0 && (seen.get('be2') ?? 0) > 0);
  });

  test('per-packet LB: a client outside the node cgroup reaches both backends through from_container; conntrack holds both halves of each flow', async (t) => {
    // Not in node A's cgroup: socket LB never sees these connect()s, so the SYN leaves the pod
    // addressed to the ClusterIP and bpf_lxc translates it (and the replies, from either node).
    const r = await shAsync(
      'ip',
      [
        'netns',
        'exec',
        client.ns.name,
        'sh',
        '-c',
        `for i in $(seq 30); do curl -s --max-time 2 http://${VIP}/; echo; done`,
      ],
      60_000,
    );
    const seen = new Map<string, number>();
    for (const l of r.stdout.split('\n').filter(Boolean)) seen.set(l, (seen.get(l) ?? 0) + 1);
    t.diagnostic(`per-packet: ${JSON.stringify([...seen])}`);
    assert.equal((seen.get('be1') ?? 0) + (seen.get('be2') ?? 0), 30, 'every request answered');
    assert.ok((seen.get('be1') ?? 0) > 0 && (seen.get('be2') ?? 0) > 0, 'both backends');
    const ct = await fetchJson<Listing>(L.socket(A), '/v1/maps/waggle_ct4_global');
    const svcRows = ct.rows.filter((row) => row[0]?.includes(`-> ${VIP}:80`) && row[0].includes('SERVICE'));
    const inRows = ct.rows.filter((row) => row[6] === `XLATE_SRC ${VIP}:80`);
    assert.ok(svcRows.length >= 30, `${svcRows.length} SERVICE entries for ${VIP}:80`);
    assert.ok(inRows.length >= 30, `${inRows.length} IN entries translating back to ${VIP}:80`);
    const backendsSeen = new Set(inRows.map((row) => row[0]?.split(' ')[2]?.split(':')[0]));
    assert.deepEqual([...backendsSeen].sort(), [L.podIp(be1), L.podIp(be2)].sort());
  });

  test('--bpf-lb-sock=false: tcpdump in the client pod shows the ClusterIP both ways, the per-packet LB translating', async (t) => {
    await L.killAgent(A, 'SIGTERM');
    await L.startAgent(A, ['--bpf-lb-sock=false']); // Cilium's spelling
    await until('the restarted agent has synced', async () => (await lb()).rows.length === 8);
    try {
      // In node A's cgroup, where socket LB would have translated the connect().
      const cap = captureLines(
        ['ip', 'netns', 'exec', client.ns.name],
        'eth0',
        'tcp port 80 or tcp port 8080',
        20,
      );
      await cap.ready;
      const seen = await curls(20);
      await sleep(300);
      const lines = await cap.stop();
      const dump = lines.join('\n');
      t.diagnostic(`answers ${JSON.stringify([...seen])}; first packets:\n${lines.slice(0, 2).join('\n')}`);
      assert.equal(
        (seen.get('be1') ?? 0) + (seen.get('be2') ?? 0),
        20,
        `answers: ${JSON.stringify([...seen])}`,
      );
      assert.ok((seen.get('be1') ?? 0) > 0 && (seen.get('be2') ?? 0) > 0, 'both backends');
      const clientIp = L.podIp(client);
      assert.ok(
        lines.some((l) => l.includes(`${clientIp}.`) && l.includes(`> ${VIP}.80:`)),
        'requests to the ClusterIP',
      );
      assert.ok(
        lines.some((l) => l.includes(`${VIP}.80 > ${clientIp}.`)),
        'replies from the ClusterIP',
      );
      for (const ip of [L.podIp(be1), L.podIp(be2)])
        assert.ok(!dump.includes(ip), `no packet in the pod carries backend ${ip}`);
      // 300 more per-packet flows, two entries each: far more than the map holds. Every request
      // is still answered (LRU), and the agent counts what was evicted.
      const more = await curls(300);
      assert.equal((more.get('be1') ?? 0) + (more.get('be2') ?? 0), 300, 'every request answered');
      await sleep(500); // a map sample
      const metrics = sh('ip', [
        'netns',
        'exec',
        L.nodeNs(A),
        'curl',
        '-s',
        `http://127.0.0.1:${METRICS_PORT}/metrics`,
      ]).stdout;
      const evicted = Number(
        /^waggle_bpf_ct_evictions_total\{map="waggle_ct4_global"\} (\d+)$/m.exec(metrics)?.[1],
      );
      t.diagnostic(`conntrack evictions: ${evicted}`);
      // At least 2 × 350 entries made into 512 places.
      assert.ok(evicted >= 2 * 350 - CT_MAX, `evictions counted: ${evicted}`);
    } finally {
      await L.killAgent(A, 'SIGTERM');
      await L.startAgent(A);
      await until('the agent back with socket LB', async () => (await lb()).rows.length === 8);
    }
  });

  test('removing the Services and their slices leaves no row in the service maps', async () => {
    for (const [kind, name] of [
      ['Service', 'web'],
      ['Service', 'empty'],
      ['EndpointSlice', 'web-1'],
      ['EndpointSlice', 'empty-1'],
    ])
      L.lab.store('delete', kind as string, name as string, 'default');
    await until('no service rows', async () => (await lb()).rows.length === 0);
    const maps = await fetchJson<Array<{ name: string; entries: number }>>(L.socket(A), '/v1/maps');
    const count = (n: string) => maps.find((m) => m.name === n)?.entries;
    assert.deepEqual(
      [count('waggle_lb4_services_v2'), count('waggle_lb4_backends_v3'), count('waggle_lb4_reverse_nat')],
      [0, 0, 0],
    );
    const r = await inClient(['curl', '-s', '--max-time', '1', `http://${VIP}/`]);
    assert.notEqual(r.code, 0, 'the ClusterIP leads nowhere once the Service is gone');
  });
});

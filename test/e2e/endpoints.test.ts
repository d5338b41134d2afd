// Pod endpoints end to end (issue: endpoints): a real etcd and agent in a node namespace, pods
// as network namespaces attached by running bin/waggle-cni exactly as a runtime does. Checks
// the CNI result, the pod's interface and routes, the lxc ARP responder, pod ⇄ router and
// pod ⇄ pod traffic (ICMP and TCP), every view, DEL/CHECK, bad input, anti-spoofing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { sh } from '../../src/testing/exec.js';
import { sleep } from './agent-lab.js';
import { addList, callPlugin, delList } from './cni-runtime.js';
import { CNI_BIN, type Pod, PodLab, UPSTREAM_CNI } from './pod-lab.js';

const NODE = 'ep-node';
const CIDR = '10.200.1.0/24';

function wb(...args: string[]): string {
  return sh('node', ['bin/waggle.js', ...args], { timeoutMs: 20_000 }).stdout;
}

describe('pod endpoints (waggle-cni, bpf_lxc)', { timeout: 180_000 }, () => {
  const L = new PodLab();
  let a: Pod;
  let b: Pod;
  let sock = '';
  /** `waggle get …` against the lab's etcd, which listens in the switch namespace. */
  const kubectl = (...args: string[]) =>
    L.lab.sw.exec('node', ['bin/waggle.js', '--store', L.lab.etcdUrl, ...args], { timeoutMs: 20_000 }).stdout;

  before(async () => {
    await L.start(23790 + (process.pid % 100));
    L.addNode(NODE, 11, CIDR, ['--enable-endpoint-routes']);
    await L.startAgent(NODE);
    sock = L.socket(NODE);
    a = L.newPod('web-a');
    b = L.newPod('web-b');
    await L.add(NODE, a);
    await L.add(NODE, b);
  });
  after(async () => {
    await L.destroy();
  });

  test('ADD returns the spec result; the pod has eth0 with a /32 and both routes', async () => {
    const r = a.result;
    assert.ok(r);
    assert.equal(r.cniVersion, '1.0.0');
    const [host, ctr] = r.interfaces;
    assert.match(host?.name ?? '', /^lxc[0-9a-f]{12}$/);
    assert.equal(ctr?.name, 'eth0');
    assert.equal(ctr?.sandbox, a.att.netns);
    const ip = r.ips[0];
    assert.ok(ip && /^10\.200\.1\.\d+\/32$/.test(ip.address), JSON.stringify(r.ips));
    assert.equal(ip.interface, 1);
    const gw = ip.gateway;
    assert.deepEqual(r.routes, [{ dst: `${gw}/32` }, { dst: '0.0.0.0/0', gw }]);
    const addrs = JSON.parse(a.ns.exec('ip', ['-j', 'addr', 'show', 'dev', 'eth0']).stdout) as Array<{
      address: string;
      addr_info: Array<{ family: string; local: string; prefixlen: number }>;
    }>;
    assert.equal(addrs[0]?.address, ctr?.mac);
    assert.deepEqual(
      addrs[0]?.addr_info.filter((x) => x.family === 'inet').map((x) => `${x.local}/${x.prefixlen}`),
      [ip.address],
    );
    const routes = a.ns.exec('ip', ['route', 'show']).stdout;
    assert.match(routes, new RegExp(`^default via ${gw} dev eth0`, 'm'));
    assert.match(routes, new RegExp(`^${gw.replace(/\./g, '\\.')} dev eth0 scope link`, 'm'));
  });

  test("ARP for any address but the pod's own is answered with the lxc MAC", () => {
    const lxcMac = a.result?.interfaces[0]?.mac.toUpperCase() ?? '';
    for (const target of [a.result?.ips[0]?.gateway ?? '', '10.200.1.222', '192.0.2.9']) {
      const out = a.ns.exec('arping', ['-c', '1', '-w', '2', '-I', 'eth0', target], {
        allowFail: true,
      }).stdout;
      assert.match(out.toUpperCase(), new RegExp(`BYTES FROM ${lxcMac} `), `arping ${target}: ${out}`);
    }
    const own = a.ns.exec('arping', ['-c', '1', '-w', '1', '-I', 'eth0', L.podIp(a)], { allowFail: true });
    assert.match(own.stdout, / 0 packets received/, own.stdout);
  });

  test('the pod pings its router; two pods reach each other over ICMP and TCP', async () => {
    const gw = a.result?.ips[0]?.gateway ?? '';
    assert.equal(a.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', gw], { allowFail: true }).code, 0);
    assert.equal(
      a.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', L.podIp(b)], { allowFail: true }).code,
      0,
    );
    assert.equal(
      b.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', L.podIp(a)], { allowFail: true }).code,
      0,
    );
    const server = b.ns.execAsync(
      'node',
      [
        '-e',
        "require('net').createServer(s=>s.end('hello from b\\n')).listen(8080,()=>setTimeout(()=>process.exit(0),4000))",
      ],
      10_000,
    );
    await sleep(600);
    const got = a.ns.exec('curl', ['-s', '--max-time', '3', `telnet://${L.podIp(b)}:8080`], {
      allowFail: true,
    });
    assert.match(got.stdout, /hello from b/);
    await server;
  });

  test('views: endpoint list/get, bpf endpoint list, ipcache, status --verbose, CiliumEndpoints, CiliumNode', async () => {
    const list = wb('endpoint', 'list', '--api-socket', sock);
    assert.match(list, /^ENDPOINT\s+POLICY \(ingress\)\s+POLICY \(egress\)\s+IDENTITY\s+LABELS/m);
    assert.match(list, /reserved:health/);
    assert.match(list, /reserved:host/);
    const eps = await L.endpoints(NODE);
    const ea = eps.endpoints.find((e) => e.podName === 'web-a');
    assert.ok(ea);
    assert.match(list, new RegExp(`^${ea.id}\\s+Disabled\\s+Disabled\\s+${ea.identity}\\s+k8s:`, 'm'));
    assert.ok(ea.identity >= 256, `identity ${ea.identity}`);
    const eb = eps.endpoints.find((e) => e.podName === 'web-b');
    // Equal security labels (same namespace, no pod labels): one shared identity, as in Cilium.
    assert.equal(ea.identity, eb?.identity);
    const get = JSON.parse(wb('endpoint', 'get', String(ea.id), '--api-socket', sock)) as Array<{
      status: { networking: Record<string, unknown> };
    }>;
    const net = get[0]?.status.networking;
    assert.equal(net?.['interface-name'], a.result?.interfaces[0]?.name);
    assert.equal(net?.['interface-index'], L.nodes.get(NODE)?.node.ns.ifindex(ea.hostIfname));
    assert.equal(net?.mac, a.result?.interfaces[1]?.mac);
    const bpf = wb('map', 'get', 'waggle_lxc', '--api-socket', sock);
    assert.match(bpf, new RegExp(`${L.podIp(a)}:0\\s+id=${ea.id}\\s+sec_id=${ea.identity}\\s`));
    assert.match(bpf, /\(localhost\)/);
    const ipc = wb('map', 'get', 'waggle_ipcache', '--api-socket', sock);
    assert.match(ipc, new RegExp(`${L.podIp(a)}/32\\s+identity=${ea.identity} `));
    assert.match(ipc, /0\.0\.0\.0\/0\s+identity=2 /);
    const status = wb('status', '--verbose', '--api-socket', sock);
    assert.match(status, /IPAM:\s+IPv4: 4\/254 allocated from 10\.200\.1\.0\/24, /);
    assert.match(status, /\(router\)/);
    assert.match(status, /\(health\)/);
    assert.match(status, new RegExp(`${L.podIp(a)} \\(default/web-a\\)`));
    let ceps = '';
    for (let i = 0; i < 50 && !/web-b/.test(ceps); i++) {
      await sleep(100);
      ceps = kubectl('get', 'ciliumendpoints', '-A');
    }
    assert.match(ceps, new RegExp(`web-a\\s+${ea.identity}\\s+ready\\s+${L.podIp(a)}`));
    const cn = kubectl('get', 'ciliumnodes');
    assert.match(cn, new RegExp(`${NODE}\\s+${a.result?.ips[0]?.gateway}\\s+10\\.98\\.0\\.11`));
  });

  test('a pod sending from a foreign source is dropped, counted in waggle_metrics, shown by waggle monitor', async () => {
    const mon = spawn('node', ['bin/waggle.js', 'monitor', '--type', 'drop', '--api-socket', sock], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    mon.stdout.on('data', (d) => {
      out += d;
    });
    try {
      for (let i = 0; i < 50 && !/Listening for events/.test(out); i++) await sleep(100);
      a.ns.exec('ip', ['addr', 'add', '10.200.1.250/32', 'dev', 'eth0']);
      const gw = a.result?.ips[0]?.gateway ?? '';
      const spoofed = a.ns.exec('ping', ['-c', '2', '-i', '0.2', '-W', '1', '-I', '10.200.1.250', gw], {
        allowFail: true,
      });
      assert.notEqual(spoofed.code, 0, 'a spoofed ping must not be answered');
      for (let i = 0; i < 30 && !/Invalid source ip/.test(out); i++) await sleep(100);
      assert.match(
        out,
        /xx drop \(Invalid source ip\) flow 0x[0-9a-f]+ to endpoint 0, ifindex \d+, file bpf_lxc\.c:\d+, , identity \d+->\S+: 10\.200\.1\.250 -> /,
      );
      const metrics = wb('map', 'get', 'waggle_metrics', '--api-socket', sock);
      assert.match(
        metrics,
        /^Invalid source ip\s+EGRESS\s+[1-9]\d*\s+[1-9]\d*\s+\d+\s+bpf_lxc\.c$/m,
        metrics,
      );
    } finally {
      mon.kill('SIGTERM');
      a.ns.exec('ip', ['addr', 'del', '10.200.1.250/32', 'dev', 'eth0'], { allowFail: true });
    }
  });

  test('CHECK passes, then reports a removed address; DEL removes everything; DEL again succeeds', async () => {
    const c = L.newPod('web-c');
    const r = await L.add(NODE, c);
    const prev = { ...L.netconf(NODE), prevResult: r };
    const ok = await L.cni(NODE, 'CHECK', c.att, prev);
    assert.equal(ok.code, 0, ok.stdout);
    const ip = L.podIp(c);
    c.ns.exec('ip', ['addr', 'del', `${ip}/32`, 'dev', 'eth0']);
    const bad = await L.cni(NODE, 'CHECK', c.att, prev);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout, new RegExp(`address ${ip.replace(/\./g, '\\.')}/32 missing`));
    const lxc = r.interfaces[0]?.name ?? '';
    const node = L.nodes.get(NODE)?.node.ns;
    assert.ok(node);
    assert.equal((await L.del(NODE, c)).code, 0);
    assert.equal(node.exec('ip', ['link', 'show', lxc], { allowFail: true }).code, 1, 'lxc removed');
    assert.doesNotMatch(node.exec('ip', ['route', 'show']).stdout, new RegExp(`^${ip} `, 'm'));
    assert.doesNotMatch(wb('map', 'get', 'waggle_lxc', '--api-socket', sock), new RegExp(`${ip}:0`));
    assert.doesNotMatch(wb('map', 'get', 'waggle_ipcache', '--api-socket', sock), new RegExp(`${ip}/32`));
    assert.doesNotMatch(wb('status', '--verbose', '--api-socket', sock), new RegExp(`${ip} `));
    let ceps = kubectl('get', 'ciliumendpoints', '-A');
    for (let i = 0; i < 50 && /web-c/.test(ceps); i++) {
      await sleep(100);
      ceps = kubectl('get', 'ciliumendpoints', '-A');
    }
    assert.doesNotMatch(ceps, /web-c/);
    assert.equal((await L.del(NODE, c)).code, 0, 'repeated DEL');
    // CHECK also reports an lxc removed behind the agent's back.
    const d = L.newPod('web-d');
    const rd = await L.add(NODE, d);
    node.exec('ip', ['link', 'del', rd.interfaces[0]?.name ?? '']);
    const noLxc = await L.cni(NODE, 'CHECK', d.att, { ...L.netconf(NODE), prevResult: rd });
    assert.notEqual(noLxc.code, 0);
    assert.match(noLxc.stdout, new RegExp(`${rd.interfaces[0]?.name}: missing on the node`));
    assert.equal((await L.del(NODE, d)).code, 0);
    c.ns.destroy();
    assert.equal((await L.del(NODE, c)).code, 0, 'DEL with the netns gone');
    const gone = await L.cni(
      NODE,
      'DEL',
      { containerId: 'never-added', netns: '/run/netns/none', ifname: 'eth0' },
      L.netconf(NODE),
    );
    assert.equal(gone.code, 0, 'DEL of an unknown container');
  });

  test('bad input gets its CNI code and a one-line message; nothing stays allocated', async () => {
    const before = (await L.endpoints(NODE)).endpoints.length;
    const p = L.newPod('bad');
    const missingNetns = await L.cni(
      NODE,
      'ADD',
      { ...p.att, netns: '/run/netns/does-not-exist' },
      L.netconf(NODE),
    );
    assert.equal(missingNetns.code, 1);
    const e1 = missingNetns.json as { code: number; msg: string };
    assert.equal(e1.code, 4);
    assert.match(e1.msg, /CNI_NETNS.*does-not-exist/);
    const badVersion = await L.cni(NODE, 'ADD', p.att, L.netconf(NODE, '9.9.9'));
    assert.equal((badVersion.json as { code: number }).code, 1);
    const noIfname = await L.cni(NODE, 'ADD', p.att, L.netconf(NODE), { CNI_IFNAME: undefined });
    assert.equal((noIfname.json as { code: number }).code, 4);
    assert.match((noIfname.json as { msg: string }).msg, /CNI_IFNAME/);
    const notJson = await callPluginRaw(L, p, 'this is not json');
    assert.equal((notJson.json as { code: number }).code, 6);
    const down = await L.cni(
      NODE,
      'ADD',
      p.att,
      L.netconf(NODE, '1.0.0', { 'socket-path': '/run/none/agent.sock' }),
    );
    const e2 = down.json as { code: number; msg: string };
    assert.equal(e2.code, 11);
    assert.match(e2.msg, /\/run\/none\/agent\.sock/);
    assert.ok(down.ms < 1500, `agent down: ${down.ms}ms`);
    assert.equal((await L.endpoints(NODE)).endpoints.length, before, 'no endpoint left by a failed ADD');
  });

  test('chained after waggle-cni, upstream tuning and portmap accept the result and do their job', async () => {
    const p = L.newPod('chained');
    const list = {
      cniVersion: '1.0.0',
      name: 'waggle',
      plugins: [
        { type: 'waggle-cni', 'socket-path': sock },
        { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.accept_redirects': '1' } },
        {
          type: 'portmap',
          capabilities: { portMappings: true },
          runtimeConfig: { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] },
        },
      ],
    };
    const node = L.nodes.get(NODE)?.node.ns;
    assert.ok(node);
    const where = {
      binDir: (t: string) => (t === 'waggle-cni' ? CNI_BIN : `${UPSTREAM_CNI}/${t}`),
      cniPath: `${process.cwd()}/bin:${UPSTREAM_CNI}`,
      nodeNetns: node.name,
    };
    const r = await addList(list, p.att, where);
    assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
    const res = r.json as { ips: Array<{ address: string }> };
    assert.match(res.ips[0]?.address ?? '', /^10\.200\.1\./);
    assert.equal(p.ns.exec('sysctl', ['-n', 'net.ipv4.conf.eth0.accept_redirects']).stdout.trim(), '1');
    const nat = node.exec('iptables-save', ['-t', 'nat']).stdout;
    assert.match(nat, /CNI-HOSTPORT-DNAT/);
    assert.match(nat, /--dport 18080/);
    const dels = await delList(list, p.att, r.json, where);
    for (const d of dels) assert.equal(d.code, 0, `${d.stdout} ${d.stderr}`);
    assert.doesNotMatch(node.exec('iptables-save', ['-t', 'nat']).stdout, /--dport 18080/);
  });

  test('the native launcher carries ADD and DEL to the agent; what it cannot carry goes to the node plugin', async () => {
    const p = L.newPod('native');
    const trace = { WAGGLE_CNI_TRACE: '1' };
    const add = await L.cni(NODE, 'ADD', p.att, L.netconf(NODE), trace);
    assert.equal(add.code, 0, add.stdout);
    assert.match(add.stderr, /waggle-cni: answered by the agent \(\/v1\/cni\)/);
    assert.match((add.json as { ips: Array<{ address: string }> }).ips[0]?.address ?? '', /^10\.200\.1\./);
    const version = await L.cni(NODE, 'VERSION', p.att, { cniVersion: '1.0.0' }, trace);
    assert.match(version.stderr, /VERSION .*the full plugin/);
    assert.ok((version.json as { supportedVersions: string[] }).supportedVersions.includes('1.1.0'));
    const down = await L.cni(
      NODE,
      'DEL',
      p.att,
      L.netconf(NODE, '1.0.0', { 'socket-path': '/run/none/agent.sock' }),
      trace,
    );
    assert.match(down.stderr, /agent not listening/);
    assert.equal((down.json as { code: number }).code, 11);
    const del = await L.cni(NODE, 'DEL', p.att, L.netconf(NODE), trace);
    assert.equal(del.code, 0, del.stdout);
    assert.match(del.stderr, /answered by the agent/);
  });
});

/** The plugin with a given stdin (not the JSON of a config). */
function callPluginRaw(L: PodLab, p: Pod, stdin: string) {
  return callPlugin({
    path: CNI_BIN,
    cniPath: `${process.cwd()}/bin`,
    command: 'ADD',
    att: p.att,
    config: undefined,
    stdin,
    nodeNetns: L.nodes.get(NODE)?.node.ns.name as string,
  });
}

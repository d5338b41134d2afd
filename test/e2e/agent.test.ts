// End to end: two agents, one client and a real etcd in network namespaces. Proves one lease
// holder, ARP answers with the holder's MAC per interface, GARP on acquisition, the bad-policy
// condition, failover after SIGKILL (gap measured) and no split brain while etcd is stopped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync } from 'node:fs';
import { sh } from '../../src/testing/exec.js';
import { AgentLab, agentArgv, type LabNode, sleep, TEST_TIMINGS, waitFor } from './agent-lab.js';

const VIP = '10.0.10.0';
const LEASE = 'waggle-l2announce-default-web';
const T = TEST_TIMINGS;

const seedPolicy = (name: string, interfaces: string[]) => ({
  apiVersion: 'cilium.io/v2alpha1',
  kind: 'CiliumL2AnnouncementPolicy',
  metadata: { name },
  spec: {
    nodeSelector: {
      matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }],
    },
    interfaces,
    externalIPs: true,
    loadBalancerIPs: true,
  },
});

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  status: { loadBalancer: { ingress: [{ ip: VIP }] } },
};

describe('waggle agent end to end', { timeout: 180_000 }, () => {
  let lab: AgentLab;
  const logs = new Map<string, string>();
  const agents = new Map<string, ReturnType<AgentLab['spawnIn']>>();
  let tcpdumpOut = '';

  const startAgent = (n: LabNode) => {
    logs.set(n.name, logs.get(n.name) ?? '');
    const p = lab.spawnIn(n.ns, 'node', agentArgv(lab, n.name), (s) =>
      logs.set(n.name, (logs.get(n.name) ?? '') + s),
    );
    agents.set(n.name, p);
  };

  const holder = (): string => {
    const got = JSON.parse(lab.store('get', 'Lease', LEASE, 'kube-system') || 'null');
    return got?.spec?.holderIdentity ?? '';
  };

  /** The MAC that answers ARP for the VIP on the client's `dev`, or '' if nobody answers. */
  const arping = async (dev: string, waitSec = 1): Promise<string> => {
    const r = await lab.client.ns.execAsync(
      'arping',
      ['-c', '1', '-w', String(waitSec), '-I', dev, VIP],
      5000,
    );
    return /bytes from ([0-9a-f:]{17})/.exec(r.stdout)?.[1] ?? '';
  };

  const nodeByName = (name: string) => lab.nodes.find((n) => n.name === name) as LabNode;

  before(async () => {
    lab = new AgentLab();
    lab.nodes.push(lab.addHost('node-a', 1), lab.addHost('node-b', 2));
    lab.client = lab.addHost('client', 100);
    mkdirSync(`${lab.runDir}/bpffs`, { recursive: true });
    sh('mount', ['-t', 'bpf', 'bpf', `${lab.runDir}/bpffs`]);
    await lab.startEtcd(20_000 + ((process.pid * 2) % 20_000));
    const td = lab.spawnIn(lab.client.ns, 'tcpdump', ['-n', '-l', '-i', 'any', 'arp'], (s) => {
      tcpdumpOut += s;
    });
    await waitFor(() => tcpdumpOut.includes('listening on') || undefined, 5000);
    void td;
    lab.store('put', JSON.stringify(seedPolicy('policy1', ['^eth[0-9]+'])));
    lab.store('put', JSON.stringify(service));
    for (const n of lab.nodes) startAgent(n);
  });

  after(async () => {
    await lab?.destroy();
  });

  it('elects exactly one holder, which answers ARP with its own MAC per interface and sent GARP', async () => {
    const h = await waitFor(() => holder() || undefined, 20_000, 300);
    assert.ok(h, `no lease holder; logs:\n${[...logs].join('\n')}`);
    const hn = nodeByName(h);
    const other = lab.nodes.find((n) => n !== hn) as LabNode;
    for (const dev of ['eth0', 'eth1']) {
      let got = '';
      for (let i = 0; i < 20 && got === ''; i++) got = await arping(dev);
      assert.equal(got, hn.ns.mac(dev), `ARP on ${dev} answered by the holder's ${dev}`);
    }
    assert.doesNotMatch(logs.get(other.name) ?? '', /lease \S+ acquired/, 'the other node never acquired');
    for (const dev of ['eth0', 'eth1']) {
      assert.match(
        tcpdumpOut,
        new RegExp(`ARP, Reply ${VIP} is-at ${hn.ns.mac(dev)}, length 46`),
        `GARP from ${dev}`,
      );
    }
    const l2 = sh('node', ['bin/waggle.js', 'l2', 'list', '--api-socket', `${lab.runDir}/${h}.sock`]).stdout;
    assert.match(l2, new RegExp(`default/web\\s+${VIP}\\s+eth0,eth1\\s+${h}\\s+yes`));
    const maps = sh('node', [
      'bin/waggle.js',
      'map',
      'list',
      '--api-socket',
      `${lab.runDir}/${h}.sock`,
    ]).stdout;
    assert.match(maps, /waggle_l2_responder_v4\s+2\s+4096/);
    const rc = sh('node', [
      'bin/waggle.js',
      'map',
      'get',
      'waggle_runtime_config',
      '--api-socket',
      `${lab.runDir}/${h}.sock`,
    ]).stdout;
    assert.match(rc, /UTimeOffset\s+\d{10,}\nAgentLiveness\s+\d+/);
    // Every registered map is shown by its codec, with no per-map CLI code: the responder with
    // its interfaces, and waggle_metrics counting the answered requests as forwarded egress.
    const mapGet = (name: string) =>
      sh('node', ['bin/waggle.js', 'map', 'get', name, '--api-socket', `${lab.runDir}/${h}.sock`], {
        allowFail: true,
      });
    assert.match(mapGet('waggle_l2_responder_v4').stdout, new RegExp(`${VIP}\\s+eth0\\s+\\d+\\s+[1-9]`));
    assert.match(mapGet('waggle_l2_responder_v4').stdout, new RegExp(`${VIP}\\s+eth1\\s+\\d+\\s+[1-9]`));
    const metrics = mapGet('waggle_metrics').stdout;
    assert.match(metrics, /^REASON\s+DIRECTION\s+PACKETS\s+BYTES\s+LINE\s+FILE$/m);
    // FILE is the source file's name as Cilium prints it; the host datapath records no file id yet.
    assert.match(metrics, /^Success\s+EGRESS\s+[1-9]\d*\s+[1-9]\d*\s+\d+\s+bpf_host\.c$/m, metrics);
    const unknown = mapGet('waggle_nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /map "waggle_nope": the agent has no such map \(it has: .*waggle_metrics/);
  });

  it('a bad interface regex sets the policy condition and changes nothing else', async () => {
    const before = holder();
    lab.store('put', JSON.stringify(seedPolicy('policy-bad', ['eth[0-'])));
    const cond = await waitFor(
      () => {
        const p = JSON.parse(lab.store('get', 'CiliumL2AnnouncementPolicy', 'policy-bad') || 'null');
        return p?.status?.conditions?.find(
          (c: { type: string }) => c.type === 'io.cilium/bad-interface-regex',
        );
      },
      10_000,
      300,
    );
    assert.ok(cond, 'condition written');
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'error');
    assert.match(cond.message, /eth\[0-/);
    assert.equal(holder(), before);
    lab.store('delete', 'CiliumL2AnnouncementPolicy', 'policy-bad');
  });

  it('SIGKILL of the holder: answers stop within max liveness, the other takes over with GARP', async () => {
    const h = holder();
    const old = nodeByName(h);
    const next = lab.nodes.find((n) => n !== old) as LabNode;
    const oldMac = old.ns.mac('eth0');
    const newMac = next.ns.mac('eth0');
    const garpsBefore = tcpdumpOut.split(`is-at ${newMac}`).length;
    lab.kill(agents.get(h), 'SIGKILL');
    const killedAt = Date.now();
    let lastOld = 0;
    let firstNew = 0;
    for (let i = 0; i < 60 && firstNew === 0; i++) {
      const got = await arping('eth0', 0.3);
      if (got === oldMac) lastOld = Date.now();
      if (got === newMac) firstNew = Date.now();
    }
    assert.ok(firstNew > 0, `no takeover; logs:\n${logs.get(next.name)}`);
    const stopMs = lastOld === 0 ? 0 : lastOld - killedAt;
    const gapMs = firstNew - killedAt;
    process.stdout.write(
      `# failover (lease ${T.lease}ms, renew ${T.renew}ms, retry ${T.retry}ms): old MAC last answered ${stopMs} ms after SIGKILL, new MAC first answered ${gapMs} ms after SIGKILL\n`,
    );
    assert.ok(stopMs <= T.lease + 500, 'old holder stopped answering within max liveness');
    assert.equal(holder(), next.name);
    await sleep(300);
    assert.ok(tcpdumpOut.split(`is-at ${newMac}`).length > garpsBefore, 'GARP from the new holder');
    startAgent(old); // back as a candidate for the next step
  });

  it('etcd stopped longer than the renew deadline: holder stops answering; back: one holder', async () => {
    const h = holder();
    // The restarted agent (second run in its log) has confirmed what it does not lead.
    const restarted = lab.nodes.find((n) => n.name !== h)?.name ?? '';
    await waitFor(
      () => ((logs.get(restarted) ?? '').split('initial sync done').length > 2 ? true : undefined),
      10_000,
    );
    lab.kill(lab.etcd, 'SIGSTOP');
    try {
      await sleep(T.renew + T.retry * 3 + 500);
      assert.equal(
        await arping('eth0'),
        '',
        `nobody answers while no lease can be renewed; logs:\n${logs.get(h)?.slice(-3000)}`,
      );
    } finally {
      lab.kill(lab.etcd, 'SIGCONT');
    }
    const again = await waitFor(() => holder() || undefined, 20_000, 300);
    assert.ok(again);
    let got = '';
    for (let i = 0; i < 30 && got === ''; i++) got = await arping('eth0');
    assert.equal(got, nodeByName(holder()).ns.mac('eth0'));
    const leaders = lab.nodes.filter((n) =>
      /waggle_l2_responder_v4\s+[1-9]/.test(
        sh('node', ['bin/waggle.js', 'map', 'list', '--api-socket', `${lab.runDir}/${n.name}.sock`], {
          allowFail: true,
        }).stdout,
      ),
    );
    assert.equal(leaders.length, 1, 'exactly one node has responder entries');
  });
});

// North-south service traffic in the lab (issue #14): the jumpbox, outside the cluster, reaches
// whoami pods on node-0 and node-1 through LoadBalancer addresses the lab's pool gives and the
// seed's L2 policy announces, and through an externalIP. Cluster policy: both backends answer,
// the remote one sees the announcing node's address (SNAT); externalTrafficPolicy Local: only the
// announcing node's own pod answers and it sees the jumpbox's address; loadBalancerSourceRanges:
// the jumpbox is refused until the range includes it; sessionAffinity keeps a client on one pod
// (per packet from the jumpbox, at the socket from server); a frontend's flows show in
// `bpf ct list global`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hostByName } from '../../src/lab/topology.js';
import { sh } from '../../src/testing/exec.js';
import { leftovers, waggle } from './lab-helpers.js';

const JUMPBOX = '192.168.56.10';
const NODE_IP: Record<string, string> = { 'node-0': '192.168.56.50', 'node-1': '192.168.56.60' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pod = (name: string, node: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'who' } },
  spec: {
    nodeName: node,
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'who', image: 'traefik/whoami', ports: [{ name: 'http', containerPort: 80 }] }],
  },
});

const lbService = (name: string, ip: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', annotations: { 'lbipam.cilium.io/ips': ip } },
  spec: {
    type: 'LoadBalancer',
    selector: { app: 'who' },
    ports: [{ port: 80, targetPort: 'http' }],
    ...spec,
  },
});

function apply(objs: unknown[]): void {
  const r = sh(process.execPath, ['bin/waggle.js', 'apply', '-f', '-'], {
    input: objs.map((o) => JSON.stringify(o)).join('\n---\n'),
    allowFail: true,
  });
  assert.equal(r.code, 0, r.stderr);
}

/** One request from the jumpbox: whoami's Hostname and RemoteAddr, or undefined when it failed. */
function fromJumpbox(ip: string): { host: string; remote: string } | undefined {
  const r = sh('ip', ['netns', 'exec', 'waggle-jumpbox', 'curl', '-s', '-m', '2', `http://${ip}/`], {
    allowFail: true,
    timeoutMs: 5000,
  });
  const host = /^Hostname: (\S+)$/m.exec(r.stdout)?.[1];
  const remote = /^RemoteAddr: ([0-9.]+):\d+$/m.exec(r.stdout)?.[1];
  return r.code === 0 && host && remote ? { host, remote } : undefined;
}

async function answered(ip: string, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(300)) if (fromJumpbox(ip)) return true;
  return false;
}

function holderOf(svc: string): string {
  const r = waggle(['get', 'lease', '-n', 'kube-system', `waggle-l2announce-default-${svc}`, '-o', 'json']);
  return (JSON.parse(r.stdout || '{}') as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '';
}

describe('north-south: the jumpbox through LoadBalancer IPs and an externalIP', { timeout: 400_000 }, () => {
  before(async () => {
    waggle(['lab', 'down']);
    const up = waggle(['lab', 'up'], 240_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const examples = join(process.cwd(), 'examples', 'seed');
    for (const f of ['lb.yaml', 'l2.yaml'])
      assert.equal(waggle(['apply', '-f', join(examples, f)]).code, 0, `${f} applied`);
    apply([
      pod('who-0', 'node-0'),
      pod('who-1', 'node-1'),
      lbService('who-lb', '10.0.10.10'),
      lbService('who-local', '10.0.10.11', { externalTrafficPolicy: 'Local' }),
      lbService('who-src', '10.0.10.12', { loadBalancerSourceRanges: ['10.99.0.0/16'] }),
      lbService('who-sticky', '10.0.10.14', { sessionAffinity: 'ClientIP' }),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'who-ext', namespace: 'default' },
        spec: {
          selector: { app: 'who' },
          ports: [{ port: 80, targetPort: 'http' }],
          externalIPs: ['10.0.10.13'],
        },
      },
    ]);
    assert.ok(await answered('10.0.10.10', 90_000), 'who-lb answers the jumpbox');
  });
  after(() => {
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
  });

  test('externalTrafficPolicy Cluster: both pods answer; the remote one sees the announcing node', () => {
    const holder = holderOf('who-lb');
    assert.ok(NODE_IP[holder], `who-lb is announced by a worker (${holder})`);
    const seen = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const r = fromJumpbox('10.0.10.10');
      assert.ok(r, `request ${i + 1} answered`);
      seen.set(r.host, r.remote);
    }
    assert.deepEqual([...seen.keys()].sort(), ['who-0', 'who-1']);
    const local = holder === 'node-0' ? 'who-0' : 'who-1';
    const remote = local === 'who-0' ? 'who-1' : 'who-0';
    assert.equal(seen.get(local), JUMPBOX, 'the pod on the announcing node sees the jumpbox');
    // SNAT to the address of the holder's device towards the other node (its route decides which).
    const holderAddrs = hostByName(holder).ifaces.map((i) => i.cidr.split('/')[0]);
    assert.ok(
      holderAddrs.includes(seen.get(remote) ?? ''),
      `the other pod sees one of ${holder}'s addresses (SNAT), not ${seen.get(remote)}`,
    );
    const ct = waggle(['bpf', 'ct', 'list', 'global', '--node', holder]).stdout;
    assert.match(
      ct,
      new RegExp(`^TCP SERVICE ${JUMPBOX}:\\d+ -> 10\\.0\\.10\\.10:80 .*\\[.*nodePort.*\\]`, 'm'),
    );
  });

  test('externalTrafficPolicy Local: only the announcing node’s pod, and it sees the jumpbox', async () => {
    assert.ok(await answered('10.0.10.11'), 'who-local answers');
    const holder = holderOf('who-local');
    const local = holder === 'node-0' ? 'who-0' : 'who-1';
    for (let i = 0; i < 15; i++) {
      const r = fromJumpbox('10.0.10.11');
      assert.deepEqual(r, { host: local, remote: JUMPBOX }, `request ${i + 1}`);
    }
  });

  test('loadBalancerSourceRanges: the jumpbox is refused, then let in once the range covers it', async () => {
    assert.equal(fromJumpbox('10.0.10.12'), undefined, 'refused from outside 10.99.0.0/16');
    const holder = holderOf('who-src');
    const drops = waggle(['bpf', 'metrics', 'list', '--node', holder]).stdout;
    assert.match(drops, /Not in source range/, `the refusal is counted on ${holder}`);
    apply([lbService('who-src', '10.0.10.12', { loadBalancerSourceRanges: ['192.168.56.0/24'] })]);
    assert.ok(await answered('10.0.10.12', 10_000), 'answered once the range includes 192.168.56.10');
  });

  test('sessionAffinity ClientIP: the jumpbox (per packet) and server (socket LB) each keep one pod', async () => {
    assert.ok(await answered('10.0.10.14'), 'who-sticky answers');
    const hosts = new Set<string>();
    for (let i = 0; i < 15; i++) hosts.add(fromJumpbox('10.0.10.14')?.host ?? 'failed');
    assert.equal(hosts.size, 1, `the jumpbox got ${[...hosts].join(', ')}`);
    const svc = JSON.parse(waggle(['get', 'svc', 'who-sticky', '-o', 'json']).stdout) as {
      spec: { clusterIP: string };
    };
    const r = waggle([
      'lab',
      'exec',
      'server',
      '--',
      'sh',
      '-c',
      `for i in $(seq 15); do curl -s -m 2 http://${svc.spec.clusterIP}/ | grep ^Hostname; done`,
    ]);
    const fromServer = new Set(r.stdout.split('\n').filter(Boolean));
    assert.equal(fromServer.size, 1, `server got ${[...fromServer].join(', ')}: ${r.stderr}`);
    assert.match([...fromServer][0] ?? '', /^Hostname: who-[01]$/);
  });

  test('an externalIP is announced and served like a LoadBalancer IP', async () => {
    assert.ok(await answered('10.0.10.13'), 'who-ext answers on its externalIP');
  });
});

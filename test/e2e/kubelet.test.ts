// The lab kubelet end to end (issue 13): etcd and two agents in node namespaces, a kubelet per
// node run as a process in the node's network namespace and the host's mount namespace, as the
// lab runs it. Seed 004's testpod.yaml pods (netpod on kl-a, webpod1 on kl-b, webpod2 on kl-a)
// are written to the store with nodeName set and must run: IPs from their node's PodCIDR,
// hostname = pod name, whoami answering across nodes; a killed container is restarted; a killed
// kubelet adopts its pods on restart; a deleted pod leaves no lxc, netns, cgroup or
// CiliumEndpoint behind.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/index.js';
import { installCni } from '../../src/cni/install.js';
import { cgroup2Mount, cgroupTreePids, killCgroup, removeCgroup } from '../../src/lab/kubelet/cgroup.js';
import { ensureSharedMount, isMountPoint, unmountUnder } from '../../src/lab/kubelet/mounts.js';
import { sh } from '../../src/testing/exec.js';
import { sleep, waitFor } from './agent-lab.js';
import { PodLab } from './pod-lab.js';

const A = 'kl-a';
const B = 'kl-b';
const CIDRS = { [A]: '10.200.1.0/24', [B]: '10.200.2.0/24' } as const;
const FLAGS = [
  '--enable-endpoint-routes',
  '--auto-direct-node-routes',
  '--ipv4-native-routing-cidr',
  '10.200.0.0/16',
];

function seedPod(name: string, node: string, image: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name.replace(/\d$/, '') } },
    spec: {
      nodeName: node,
      containers: [{ name: name === 'netpod' ? 'netshoot-pod' : 'container', image, ...extra }],
      terminationGracePeriodSeconds: 0,
    },
  };
}

describe('lab kubelet: pods, exec, restarts, adoption, deletion', { timeout: 300_000 }, () => {
  const L = new PodLab();
  const root = `${L.lab.runDir}/kubelet`;
  const cgTop = join(cgroup2Mount(), `waggle-e2e-${process.pid}`);
  const kubelets = new Map<string, ChildProcess>();
  const klog = new Map<string, string>();

  const getPod = (name: string) => JSON.parse(L.lab.store('get', 'Pod', name, 'default')) as Pod | null;
  const waggle = (...args: string[]) =>
    sh('node', ['bin/waggle.js', ...args], { allowFail: true, timeoutMs: 20_000 });
  const exec = (pod: string, ...cmd: string[]) => waggle('exec', '--kubelet-root', root, pod, '--', ...cmd);

  function startKubelet(node: string): void {
    const ns = L.nodes.get(node)?.node.ns.name ?? '';
    const p = spawn(
      'nsenter',
      [
        `--net=/run/netns/${ns}`,
        ...['node', 'bin/waggle.js', 'lab', 'kubelet', '--node', node, '--store', L.lab.etcdUrl],
        ...[
          '--cni-conf-dir',
          `${L.lab.runDir}/cni/${node}/net.d`,
          '--cni-bin-dir',
          `${L.lab.runDir}/cni/${node}/bin`,
        ],
        ...['--root-dir', root, '--cgroup-root', join(cgTop, node), '--restart-backoff', '1s'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const add = (d: Buffer) => klog.set(node, (klog.get(node) ?? '') + String(d));
    p.stdout?.on('data', add);
    p.stderr?.on('data', add);
    kubelets.set(node, p);
  }

  async function killKubelet(node: string): Promise<void> {
    const p = kubelets.get(node);
    kubelets.delete(node);
    if (!p?.pid || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    process.kill(p.pid, 'SIGKILL');
    await gone;
  }

  async function running(name: string, timeoutMs = 30_000): Promise<Pod> {
    const pod = await waitFor(
      () => {
        const p = getPod(name);
        const cs = p?.status?.containerStatuses?.[0];
        return p?.status?.phase === 'Running' && cs?.ready ? p : undefined;
      },
      timeoutMs,
      300,
    );
    assert.ok(
      pod,
      `${name} not Running and ready:\n${JSON.stringify(getPod(name)?.status)}\n${[...klog.values()].join('')}`,
    );
    return pod;
  }

  before(async () => {
    await L.start(25790 + (process.pid % 100));
    // Before any agent starts: the agents' mount namespaces must receive the pod netns mounts.
    ensureSharedMount(root);
    for (const [n, host] of [
      [A, 31],
      [B, 32],
    ] as const)
      L.addNode(n, host, CIDRS[n], FLAGS);
    for (const n of [A, B]) {
      await L.startAgent(n);
      installCni({
        cniBinDir: `${L.lab.runDir}/cni/${n}/bin`,
        cniConfDir: `${L.lab.runDir}/cni/${n}/net.d`,
        socketPath: L.socket(n),
        name: 'waggle',
        conflistName: '05-waggle.conflist',
        chain: [],
      });
      startKubelet(n);
    }
    L.lab.store(
      'put',
      JSON.stringify(
        seedPod('netpod', A, 'nicolaka/netshoot', { command: ['tail'], args: ['-f', '/dev/null'] }),
      ),
    );
    L.lab.store('put', JSON.stringify(seedPod('webpod1', B, 'traefik/whoami')));
    L.lab.store('put', JSON.stringify(seedPod('webpod2', A, 'traefik/whoami')));
  });

  after(async () => {
    for (const n of [...kubelets.keys()]) await killKubelet(n);
    if (process.env.WAGGLE_E2E_LOGS) for (const [n, t] of klog) L.logs.set(`kubelet-${n}`, t);
    killCgroup(cgTop);
    for (let i = 0; i < 30 && cgroupTreePids(cgTop).length > 0; i++) await sleep(100);
    unmountUnder(root);
    await removeCgroup(cgTop);
    await L.destroy();
  });

  test("seed 004's pods run with IPs from their node's PodCIDR; get pods prints Running 1/1", async () => {
    for (const [name, node] of [
      ['netpod', A],
      ['webpod1', B],
      ['webpod2', A],
    ] as const) {
      const p = await running(name);
      const prefix = CIDRS[node].replace(/0\/24$/, '');
      assert.ok(p.status?.podIP?.startsWith(prefix), `${name}: ${p.status?.podIP} not in ${CIDRS[node]}`);
      assert.deepEqual(p.status?.podIPs, [{ ip: p.status?.podIP }]);
      assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
      assert.ok(p.status?.startTime);
      assert.deepEqual(
        p.status?.conditions
          ?.filter((c) => c.status === 'True')
          .map((c) => c.type)
          .sort(),
        ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready'],
      );
    }
    const out = L.lab.sw.exec('node', ['bin/waggle.js', '--store', L.lab.etcdUrl, 'get', 'pods'], {
      timeoutMs: 20_000,
    }).stdout;
    for (const name of ['netpod', 'webpod1', 'webpod2'])
      assert.match(out, new RegExp(`^${name}\\s+1/1\\s+Running\\s+0\\s`, 'm'), out);
  });

  test('exec: the pod name as hostname, the exit code passed through', () => {
    const h = exec('netpod', 'hostname');
    assert.equal(h.code, 0, h.stderr);
    assert.equal(h.stdout.trim(), 'netpod');
    assert.equal(exec('webpod1', 'hostname').stdout.trim(), 'webpod1');
    assert.equal(exec('netpod', 'sh', '-c', 'exit 7').code, 7);
    const bad = exec('nopod', 'true');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /pods "nopod" not found in namespace "default"/);
  });

  test('curl from netpod to webpod1 (the other node) answers like traefik/whoami', async () => {
    const web1 = getPod('webpod1')?.status?.podIP ?? '';
    const net = getPod('netpod')?.status?.podIP ?? '';
    const r = await waitFor(
      () => {
        const c = exec('netpod', 'curl', '-s', '--max-time', '3', `http://${web1}/`);
        return c.code === 0 && c.stdout ? c.stdout : undefined;
      },
      15_000,
      500,
    );
    assert.ok(r, 'no answer from webpod1');
    assert.match(r, /^Hostname: webpod1\n/);
    assert.match(r, /^IP: 127\.0\.0\.1$/m);
    assert.match(r, new RegExp(`^IP: ${web1.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r, new RegExp(`^RemoteAddr: ${net.replace(/\./g, '\\.')}:\\d+$`, 'm'));
    assert.match(r, /^GET \/ HTTP\/1\.1\r$/m);
    assert.match(r, new RegExp(`^Host: ${web1.replace(/\./g, '\\.')}\r$`, 'm'));
    const logs = waggle('logs', '--kubelet-root', root, 'webpod1');
    assert.match(logs.stdout, /Starting up on port 80/);
  });

  test('a killed container is restarted: restartCount 1, lastState terminated', async () => {
    const before = getPod('webpod2')?.status?.containerStatuses?.[0];
    const pid = Number(before?.containerID?.replace('waggle-lab://', ''));
    assert.ok(pid > 1, JSON.stringify(before));
    process.kill(pid, 'SIGKILL');
    const after = await waitFor(
      () => {
        const cs = getPod('webpod2')?.status?.containerStatuses?.[0];
        return cs?.restartCount === 1 && cs.ready ? cs : undefined;
      },
      20_000,
      300,
    );
    assert.ok(after, JSON.stringify(getPod('webpod2')?.status));
    assert.equal(after.lastState?.terminated?.exitCode, 137);
    assert.notEqual(after.containerID, before?.containerID);
  });

  test('a killed kubelet adopts its running pods on restart: same pid, same IP', async () => {
    const before = getPod('netpod');
    await killKubelet(A);
    startKubelet(A);
    const adopted = await waitFor(
      () => (/adopted pod default\/netpod/.test(klog.get(A) ?? '') ? true : undefined),
      20_000,
    );
    assert.ok(adopted, klog.get(A));
    await sleep(2000); // a few sync passes
    const after = await running('netpod');
    assert.equal(
      after.status?.containerStatuses?.[0]?.containerID,
      before?.status?.containerStatuses?.[0]?.containerID,
    );
    assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 0);
    assert.equal(after.status?.podIP, before?.status?.podIP);
    assert.equal(exec('netpod', 'hostname').stdout.trim(), 'netpod');
  });

  test('deleting a pod (deletionTimestamp) stops it and removes it: no lxc, netns, cgroup, CiliumEndpoint left', async () => {
    const pod = getPod('webpod2');
    assert.ok(pod?.metadata.uid);
    const uid = pod.metadata.uid;
    const pid = Number(pod.status?.containerStatuses?.[0]?.containerID?.replace('waggle-lab://', ''));
    const { status: _s, ...rest } = pod;
    L.lab.store(
      'put',
      JSON.stringify({
        ...rest,
        metadata: {
          ...pod.metadata,
          deletionTimestamp: new Date().toISOString(),
          deletionGracePeriodSeconds: 0,
        },
      }),
    );
    const gone = await waitFor(() => (getPod('webpod2') === null ? true : undefined), 20_000, 300);
    assert.ok(gone, `webpod2 still in the store\n${klog.get(A)}`);
    assert.equal(existsSync(`/proc/${pid}`), false, 'container process gone');
    const podDir = `${root}/${A}/pods/${uid}`;
    assert.equal(isMountPoint(`${podDir}/net`), false);
    assert.equal(existsSync(podDir), false);
    assert.equal(existsSync(join(cgTop, A, 'pods', uid)), false, 'pod cgroup removed');
    const ceps = await waitFor(
      () => {
        const out = L.lab.sw.exec(
          'node',
          ['bin/waggle.js', '--store', L.lab.etcdUrl, 'get', 'ciliumendpoints', '-A'],
          { timeoutMs: 20_000 },
        ).stdout;
        return /webpod2/.test(out) ? undefined : out;
      },
      15_000,
      500,
    );
    assert.ok(ceps !== undefined, 'CiliumEndpoint webpod2 left');
    assert.match(ceps, /netpod/);
    const links = L.nodes.get(A)?.node.ns.exec('ip', ['-o', 'link', 'show']).stdout ?? '';
    assert.equal((links.match(/lxc[0-9a-f]{12}/g) ?? []).length > 0, true);
    const eps = await L.endpoints(A);
    assert.ok(!eps.endpoints.some((e) => e.podName === 'webpod2'), 'agent endpoint gone');
    const lxcOfPods = eps.endpoints.map((e) => e.hostIfname).filter(Boolean);
    for (const l of links.match(/lxc[0-9a-f]{12}/g) ?? [])
      assert.ok(lxcOfPods.includes(l) || /lxc_health/.test(l), `stray ${l}`);
  });

  test('a pod deleted from the store outright is torn down too', async () => {
    const uid = getPod('webpod1')?.metadata.uid ?? '';
    L.lab.store('delete', 'Pod', 'webpod1', 'default');
    const dir = `${root}/${B}/pods/${uid}`;
    const gone = await waitFor(
      () => (!existsSync(dir) && !existsSync(join(cgTop, B, 'pods', uid)) ? true : undefined),
      20_000,
      300,
    );
    assert.ok(gone, klog.get(B));
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), false);
  });
});

// Workloads in the lab (issue #13's acceptance): seed 004's testpod.yaml and seed 001's nginx
// Deployment run as real processes behind real lxc veths; the lab's control plane scales, rolls
// and replaces pods while the EndpointSlice lists exactly the ready ones; nothing outlives a pod.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sh } from '../../src/testing/exec.js';
import { leftovers, waggle } from './lab-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POD_CIDR = { server: '10.200.0.', 'node-0': '10.200.1.', 'node-1': '10.200.2.' } as const;
const HASH_ALPHABET = '[bcdfghjklmnpqrstvwxz2456789]';

interface PodJson {
  metadata: { name: string; uid: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ restartCount: number; ready: boolean }>;
  };
}
interface SliceJson {
  metadata: { name: string; labels?: Record<string, string> };
  endpoints: Array<{
    addresses: string[];
    conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
    nodeName?: string;
    targetRef?: { name?: string };
  }>;
  ports?: Array<{ port?: number }>;
}

function ok(args: string[], input?: string): string {
  const res =
    input === undefined ? waggle(args) : sh(process.execPath, ['bin/waggle.js', ...args], { input });
  assert.equal(res.code, 0, `waggle ${args.join(' ')}:\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

function pods(selector?: string): PodJson[] {
  return (
    JSON.parse(ok(['get', 'pods', '-o', 'json', ...(selector ? ['-l', selector] : [])])) as {
      items: PodJson[];
    }
  ).items;
}

function slices(service: string): SliceJson[] {
  const all = JSON.parse(ok(['get', 'endpointslices', '-o', 'json'])) as { items: SliceJson[] };
  return all.items.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service);
}

const ready = (p: PodJson) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function waitFor<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (let i = 0; i < 10_000; i++) {
    try {
      const v = probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > ms) break;
    await sleep(250);
  }
  assert.fail(`${what}: not within ${ms} ms${last ? ` (last error: ${String(last)})` : ''}`);
}

/** The ready pods' IPs and the slice's ready addresses, once they agree and the count is right. */
async function slicesMatchReadyPods(replicas: number): Promise<string[]> {
  return waitFor(`EndpointSlice lists exactly ${replicas} ready nginx pods`, 90_000, () => {
    const live = pods('app=nginx').filter((p) => !p.metadata.deletionTimestamp);
    const readyIps = live
      .filter(ready)
      .map((p) => p.status?.podIP as string)
      .sort();
    const inSlice = slices('nginx')
      .flatMap((s) => s.endpoints)
      .filter((e) => e.conditions.ready)
      .flatMap((e) => e.addresses)
      .sort();
    const terminating = pods('app=nginx').some((p) => p.metadata.deletionTimestamp);
    if (live.length !== replicas || readyIps.length !== replicas || terminating) return undefined;
    return JSON.stringify(readyIps) === JSON.stringify(inSlice) ? readyIps : undefined;
  });
}

/** lxc veths on a node besides lxc_health: one per pod on it. */
function lxcCount(node: string): number {
  const links = JSON.parse(sh('ip', ['-n', `waggle-${node}`, '-j', 'link', 'show']).stdout) as Array<{
    ifname: string;
  }>;
  return links.filter((l) => /^lxc[0-9a-f]{12}$/.test(l.ifname)).length;
}

function assertNothingOutlivesPods(): void {
  const all = pods();
  for (const node of ['server', 'node-0', 'node-1'])
    assert.equal(lxcCount(node), all.filter((p) => p.spec.nodeName === node).length, `lxc count on ${node}`);
  const ceps = (JSON.parse(ok(['get', 'ciliumendpoints', '-o', 'json'])) as { items: PodJson[] }).items
    .map((c) => c.metadata.name)
    .sort();
  assert.deepEqual(ceps, all.map((p) => p.metadata.name).sort(), 'one CiliumEndpoint per pod');
}

describe('lab workloads', { concurrency: false }, () => {
  before(() => {
    delete process.env.WAGGLE_LAB_AGENT_FLAGS;
    waggle(['lab', 'down']);
    const up = waggle(['lab', 'up'], 240_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
  });
  after(() => {
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
  });

  test("seed 004's testpod.yaml: pods Running on their nodes, hostnames, whoami across nodes", async () => {
    assert.match(ok(['apply', '-f', 'examples/seed/testpod.yaml']), /pod\/netpod created/);
    const running = await waitFor('netpod, webpod1, webpod2 Running and Ready', 90_000, () => {
      const ps = pods().filter((p) => ['netpod', 'webpod1', 'webpod2'].includes(p.metadata.name));
      return ps.length === 3 && ps.every((p) => p.status?.phase === 'Running' && ready(p)) ? ps : undefined;
    });
    for (const p of running) {
      const node = p.spec.nodeName as keyof typeof POD_CIDR;
      assert.ok(
        p.status?.podIP?.startsWith(POD_CIDR[node]),
        `${p.metadata.name} ${p.status?.podIP} in ${node}'s PodCIDR`,
      );
    }
    const wide = ok(['get', 'pods', '-o', 'wide']);
    assert.match(wide, /^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$/m);
    assert.match(wide, /^webpod1 +1\/1 +Running +0 +\S+ +10\.200\.1\.\d+ +node-0 +<none> +<none>$/m);
    const ip1 = ok(['get', 'pods', 'webpod1', '-o', 'jsonpath={.status.podIP}']).trim();
    assert.equal(ip1, running.find((p) => p.metadata.name === 'webpod1')?.status?.podIP);
    assert.equal(ok(['exec', 'netpod', '--', 'hostname']).trim(), 'netpod');
    assert.equal(ok(['exec', 'webpod1', '--', 'hostname']).trim(), 'webpod1');
    const who = ok(['exec', 'netpod', '--', 'curl', '-s', '-m', '5', `http://${ip1}/`]);
    assert.match(who, /^Hostname: webpod1$/m);
    assert.match(who, new RegExp(`^IP: ${ip1.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(who, /^GET \/ HTTP\/1\.1$/m);
    const failing = waggle(['exec', 'netpod', '--', 'sh', '-c', 'exit 7']);
    assert.equal(failing.code, 7, 'exec passes the exit code through');
    assertNothingOutlivesPods();
  });

  test("seed 001's nginx Deployment: named like the seed's pod, on a worker, reached from server", async () => {
    ok(['apply', '-f', 'examples/seed/nginx-deployment.yaml']);
    ok(['apply', '-f', 'examples/seed/nginx-service.yaml']);
    const [ip] = await slicesMatchReadyPods(1);
    const pod = pods('app=nginx')[0] as PodJson;
    assert.match(pod.metadata.name, new RegExp(`^nginx-${HASH_ALPHABET}{6,10}-${HASH_ALPHABET}{5}$`));
    assert.ok(pod.spec.nodeName === 'node-0' || pod.spec.nodeName === 'node-1', 'not on the tainted server');
    const page = ok(['lab', 'exec', 'server', '--', 'curl', '-s', '-m', '5', `http://${ip}/`]);
    assert.match(page, /<title>Welcome to nginx!<\/title>/);
    // The ClusterIP, translated by socket LB on the node's cgroup subtree (server's own curl and a
    // pod's): seed 001's `curl 10.96.79.80`.
    const cip = ok(['get', 'svc', 'nginx', '-o', 'jsonpath={.spec.clusterIP}']).trim();
    assert.match(cip, /^10\.(9[6-9]|1[01][0-9])\./, 'a ClusterIP from 10.96.0.0/12');
    const viaService = await waitFor('curl <ClusterIP> from server', 20_000, () => {
      const r = waggle(['lab', 'exec', 'server', '--', 'curl', '-s', '-m', '3', `http://${cip}/`]);
      return r.code === 0 && r.stdout.includes('Welcome to nginx!') ? r.stdout : undefined;
    });
    assert.match(viaService, /<title>Welcome to nginx!<\/title>/);
    assert.match(
      ok(['exec', 'netpod', '--', 'curl', '-s', '-m', '3', `http://${cip}/`]),
      /Welcome to nginx!/,
    );
    const slice = slices('nginx')[0] as SliceJson;
    assert.deepEqual(
      slice.ports?.map((p) => p.port),
      [80],
      'the named targetPort resolved to 80',
    );
    assert.equal(slice.endpoints[0]?.targetRef?.name, pod.metadata.name);
    assert.equal(slice.endpoints[0]?.nodeName, pod.spec.nodeName);
  });

  test('scale 2 → 5 → 1, a rolling update and a deleted pod: the slice lists exactly the ready pods', async () => {
    for (const n of [2, 5, 1]) {
      assert.match(ok(['scale', 'deploy/nginx', '--replicas', String(n)]), /deployment.apps\/nginx scaled/);
      await slicesMatchReadyPods(n);
      assertNothingOutlivesPods();
    }
    ok(['scale', 'deploy/nginx', '--replicas', '2']);
    const before = await slicesMatchReadyPods(2);
    const oldNames = pods('app=nginx').map((p) => p.metadata.name);
    ok(['patch', 'deployment', 'nginx', '-p', '{"spec":{"template":{"metadata":{"labels":{"rev":"2"}}}}}']);
    await waitFor('every pod replaced by the new template', 120_000, () => {
      const ps = pods('app=nginx');
      return ps.length === 2 && ps.every((p) => p.metadata.labels?.rev === '2') ? ps : undefined;
    });
    const after = await slicesMatchReadyPods(2);
    assert.notDeepEqual(after, before, 'new pods, new addresses');
    assert.match(ok(['rollout', 'status', 'deploy/nginx']), /successfully rolled out/);
    const victim = pods('app=nginx')[0] as PodJson;
    assert.ok(!oldNames.includes(victim.metadata.name));
    ok(['delete', 'pod', victim.metadata.name]);
    await slicesMatchReadyPods(2);
    assert.ok(!pods('app=nginx').some((p) => p.metadata.name === victim.metadata.name), 'replaced, not kept');
    assertNothingOutlivesPods();
  });

  test('a terminating pod is ready=false, serving=true, terminating=true until it is gone', async () => {
    // A pod that takes 6 s to stop after SIGTERM (its readiness keeps passing meanwhile).
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'slowstop', labels: { app: 'nginx' } },
      spec: {
        terminationGracePeriodSeconds: 20,
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c', "trap 'sleep 6; exit 0' TERM; while true; do sleep 1; done"],
            readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
          },
        ],
      },
    };
    ok(['apply', '-f', '-'], JSON.stringify(manifest));
    await waitFor('slowstop ready in the slice', 60_000, () =>
      slices('nginx').some((s) =>
        s.endpoints.some((e) => e.targetRef?.name === 'slowstop' && e.conditions.ready),
      )
        ? true
        : undefined,
    );
    ok(['delete', 'pod', 'slowstop', '--wait=false']);
    const seen = await waitFor('slowstop terminating in the slice', 10_000, () =>
      slices('nginx')
        .flatMap((s) => s.endpoints)
        .find((e) => e.targetRef?.name === 'slowstop' && e.conditions.terminating),
    );
    assert.deepEqual(seen.conditions, { ready: false, serving: true, terminating: true });
    await waitFor('slowstop gone from store and slice', 30_000, () =>
      !pods().some((p) => p.metadata.name === 'slowstop') &&
      !slices('nginx').some((s) => s.endpoints.some((e) => e.targetRef?.name === 'slowstop'))
        ? true
        : undefined,
    );
    assertNothingOutlivesPods();
  });

  test('an image the lab does not have: ErrImagePull naming the image and the images it has', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cache' },
      spec: { nodeName: 'node-0', containers: [{ name: 'redis', image: 'redis:7' }] },
    };
    ok(['apply', '-f', '-'], JSON.stringify(manifest));
    const waiting = await waitFor('cache waiting with ErrImagePull', 30_000, () => {
      const p = pods().find((x) => x.metadata.name === 'cache') as
        | (PodJson & {
            status?: {
              containerStatuses?: Array<{ state?: { waiting?: { reason?: string; message?: string } } }>;
            };
          })
        | undefined;
      const w = p?.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'ErrImagePull' ? w : undefined;
    });
    assert.match(waiting.message ?? '', /"redis:7".*nginx\*.*traefik\/whoami\*/);
    assert.match(ok(['get', 'pod', 'cache']), /^cache +0\/1 +ErrImagePull +0 /m);
    ok(['delete', 'pod', 'cache']);
    assert.ok(!pods().some((p) => p.metadata.name === 'cache'), 'delete waits until the pod is gone');
  });

  test('a killed container is restarted; a killed kubelet adopts its pods', async () => {
    const before = pods().find((p) => p.metadata.name === 'webpod2') as PodJson;
    // The whoami process is the one listening on :80 inside webpod2.
    ok([
      'exec',
      'webpod2',
      '--',
      'sh',
      '-c',
      'kill -9 $(ss -Htlnp "sport = :80" | grep -o "pid=[0-9]*" | cut -d= -f2)',
    ]);
    await waitFor('webpod2 restarted, restartCount 1, Ready again', 60_000, () => {
      const p = pods().find((x) => x.metadata.name === 'webpod2');
      return p?.status?.containerStatuses?.[0]?.restartCount === 1 && ready(p) ? p : undefined;
    });
    ok(['lab', 'kill', 'kubelet', 'node-1']);
    ok(['lab', 'restart', 'kubelet', 'node-1']);
    await sleep(3000);
    const afterRestart = pods().find((p) => p.metadata.name === 'webpod2') as PodJson;
    assert.equal(afterRestart.metadata.uid, before.metadata.uid, 'same pod');
    assert.equal(afterRestart.status?.podIP, before.status?.podIP, 'same address: adopted, not recreated');
    assert.equal(afterRestart.status?.containerStatuses?.[0]?.restartCount, 1, 'not restarted again');
    assert.equal(lxcCount('node-1'), pods().filter((p) => p.spec.nodeName === 'node-1').length);
  });
});

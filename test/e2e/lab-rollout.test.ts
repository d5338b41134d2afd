// Endpoint lifecycle under load in the lab (issue #14): a Deployment of two nginx pods behind a
// LoadBalancer Service, loaded with wrk through its ClusterIP from `server` (socket LB) and
// through its LoadBalancer IP from the jumpbox (per-packet LB on the announcing node), every
// request on a new connection so the datapath places each one. A rolling update loses no request;
// a deleted pod takes no new connection once its EndpointSlice says terminating (tcpdump inside
// the pod sees the SYNs stop), while its preStop hook keeps it serving what it already has.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EndpointSlice } from '../../src/api/index.js';
import { resolveStoreUrl } from '../../src/cli/store-url.js';
import { openStore, type Store } from '../../src/store/index.js';
import { sh, shAsync } from '../../src/testing/exec.js';
import { leftovers, waggle } from './lab-helpers.js';
import { captureLines, firstSyns } from './tcpdump.js';
import { runWrk, type WrkRun } from '../../src/testing/wrk.js';

const LB_IP = '10.0.10.20';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * How long after the slice says terminating a new connection may still arrive: the agents'
 * reaction. Idle it is milliseconds; with wrk, nginx and three agents on 2 saturated cores CI saw
 * 520 ms. A datapath that ignored the slice would keep sending for the whole 3 s preStop.
 */
const REACTION_MS = 1000;

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { podIP?: string; conditions?: Array<{ type: string; status: string }> };
}

function ok(args: string[], input?: string): string {
  const r = sh(process.execPath, ['bin/waggle.js', ...args], {
    allowFail: true,
    timeoutMs: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  assert.equal(r.code, 0, `waggle ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const webPods = () =>
  (JSON.parse(ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: PodJson[] }).items;
const isReady = (p: PodJson) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function waitFor<T>(
  what: string,
  ms: number,
  fn: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) {
    const v = await fn();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** wrk through the ClusterIP from server and through the LoadBalancer IP from the jumpbox, at once. */
function loadBoth(clusterIP: string, seconds: number): Promise<[WrkRun, WrkRun]> {
  return Promise.all([
    runWrk([process.execPath, 'bin/waggle.js', 'lab', 'exec', 'server', '--'], `http://${clusterIP}/`, {
      seconds,
    }),
    runWrk(['ip', 'netns', 'exec', 'waggle-jumpbox'], `http://${LB_IP}/`, { seconds }),
  ]);
}

function assertNoFailure(label: string, r: WrkRun): void {
  assert.equal(r.failed, 0, `${label}: ${JSON.stringify(r.socketErrors)}, non-2xx ${r.non2xx}\n${r.raw}`);
  assert.ok(r.requests > 300, `${label}: only ${r.requests} requests`);
}

describe('rollouts under load: no failed request, no new connection to a terminating pod', {
  timeout: 400_000,
}, () => {
  let store: Store;
  let clusterIP = '';

  before(async () => {
    waggle(['lab', 'down']);
    const up = waggle(['lab', 'up'], 240_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    store = openStore(resolveStoreUrl());
    const examples = join(process.cwd(), 'examples', 'seed');
    for (const f of ['lb.yaml', 'l2.yaml']) ok(['apply', '-f', join(examples, f)]);
    ok(['apply', '-f', join(process.cwd(), 'examples', 'lifecycle', 'web.yaml')]);
    await waitFor('two ready web pods', 120_000, () => {
      const ps = webPods();
      return ps.length === 2 && ps.every(isReady) ? ps : undefined;
    });
    await waitFor(`${LB_IP} answering the jumpbox`, 90_000, () => {
      const r = sh('ip', ['netns', 'exec', 'waggle-jumpbox', 'curl', '-s', '-m', '2', `http://${LB_IP}/`], {
        allowFail: true,
        timeoutMs: 5000,
      });
      return r.stdout.includes('Welcome to nginx!') ? true : undefined;
    });
    clusterIP = JSON.parse(ok(['get', 'svc', 'web', '-o', 'json'])).spec.clusterIP;
  });
  after(async () => {
    await store?.close();
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
  });

  test('a rolling update under wrk through the ClusterIP and the LoadBalancer IP: 0 failed requests', async (t) => {
    const oldPods = webPods().map((p) => p.metadata.name);
    const load = loadBoth(clusterIP, 30);
    await sleep(3000);
    const started = Date.now();
    ok(['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"metadata":{"labels":{"rev":"2"}}}}}']);
    const fresh = await waitFor('both pods replaced and the old ones gone', 24_000, () => {
      const ps = webPods();
      return ps.length === 2 && ps.every((p) => p.metadata.labels?.rev === '2' && isReady(p))
        ? ps
        : undefined;
    });
    const rolledMs = Date.now() - started;
    const [viaClusterIP, viaLb] = await load;
    t.diagnostic(
      `rollout took ${rolledMs} ms; ClusterIP from server: ${viaClusterIP.requests} requests, ${viaClusterIP.failed} failed; ` +
        `${LB_IP} from the jumpbox: ${viaLb.requests} requests, ${viaLb.failed} failed`,
    );
    assertNoFailure('ClusterIP from server', viaClusterIP);
    assertNoFailure('LoadBalancer IP from the jumpbox', viaLb);
    // The load really moved: the new pods served it, and none of the old ones is left.
    for (const p of fresh) {
      assert.ok(!oldPods.includes(p.metadata.name));
      assert.match(
        ok(['logs', p.metadata.name, '--tail', '20']),
        /"GET \/ HTTP\/1\.1" 200/,
        `${p.metadata.name} served`,
      );
    }
  });

  test('a deleted pod: no new connection after its EndpointSlice says terminating, and no failed request', async (t) => {
    const victim = webPods()[0] as PodJson;
    const ip = victim.status?.podIP ?? '';
    // Only the first packet of each connection (SYN without ACK), with wall-clock timestamps.
    const cap = captureLines(
      [process.execPath, 'bin/waggle.js', 'exec', victim.metadata.name, '--'],
      'eth0',
      'tcp dst port 80 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn',
      25,
      ['-tt', '-S'],
    );
    await cap.ready;
    const load = loadBoth(clusterIP, 14);
    await sleep(3000);
    // Watched while the delete runs, so the moment is the slice's, not the CLI's exit.
    const deleting = shAsync(process.execPath, [
      'bin/waggle.js',
      'delete',
      'pod',
      victim.metadata.name,
      '--wait=false',
    ]);
    const terminatingAt = await waitFor(
      `${victim.metadata.name} terminating in the slice`,
      10_000,
      async () => {
        const slices = (await store.list({ kind: 'EndpointSlice', namespace: 'default' }))
          .items as EndpointSlice[];
        const e = slices.flatMap((s) => s.endpoints ?? []).find((x) => x.addresses.includes(ip));
        return e?.conditions?.terminating ? Date.now() : undefined;
      },
    );
    assert.equal((await deleting).code, 0, 'pod deleted');
    const [viaClusterIP, viaLb] = await load;
    // The capture ends with the pod (its eth0 goes) or at its timeout.
    const syns = firstSyns(await cap.done, ip);
    const before = syns.filter((ms) => ms < terminatingAt);
    const late = syns.filter((ms) => ms > terminatingAt + REACTION_MS);
    const last = Math.max(...syns);
    t.diagnostic(
      `${syns.length} new connections to ${victim.metadata.name} (${before.length} before the slice said terminating); ` +
        `the last ${Math.round(last - terminatingAt)} ms after it; ` +
        `wrk: ${viaClusterIP.requests} + ${viaLb.requests} requests, ${viaClusterIP.failed} + ${viaLb.failed} failed`,
    );
    assert.ok(before.length > 20, `the capture saw the pod's connections before (${before.length})`);
    assert.deepEqual(
      late.map((ms) => Math.round(ms - terminatingAt)),
      [],
      `new connections later than ${REACTION_MS} ms after terminating (ms after)`,
    );
    assertNoFailure('ClusterIP from server', viaClusterIP);
    assertNoFailure('LoadBalancer IP from the jumpbox', viaLb);
  });
});

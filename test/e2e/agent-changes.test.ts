// End to end: how store changes move or remove announcements (Cilium's pkg/l2announcer/l2announcer.go), with two
// agents, one client and a real etcd in network namespaces. In order: an interface regex change
// (entries on the dropped interface go, the kept one keeps its counter, the lease is untouched),
// the control-plane label on the holder (it releases, the other node takes over), `waggle get
// lease`, a service delete (its lease released, its entries gone) and a policy delete (every
// entry gone, every lease released and then garbage-collected).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AgentHarness,
  CONTROL_PLANE,
  lbService,
  leaseOf,
  seedPolicy,
  sleep,
  VIP,
  waitFor,
  waitForAsync,
} from './agent-harness.js';

const VIP2 = '10.0.10.1';
const NODES = ['node-a', 'node-b'];

describe('waggle agent: store changes move and remove announcements', { timeout: 240_000 }, () => {
  const h = new AgentHarness();
  const other = (name: string) => NODES.find((n) => n !== name) as string;
  /** Responder entries of one agent for `ip`, as "iface=responses". */
  const entries = async (node: string, ip = VIP) =>
    (await h.status(node)).l2.responder
      .filter((e) => e.ip === ip)
      .map((e) => `${e.iface}=${e.responsesSent}`);
  /** Gratuitous ARPs seen by the client (46-byte padded frames; datapath answers to arping are 28). */
  /** The lease record once released (empty holder), 'collected' once deleted, else undefined. */
  const releasedOrCollected = (svc: string) => {
    const l = h.lease(svc);
    if (l === null) return 'collected' as const;
    return l.holderIdentity === '' ? l : undefined;
  };
  const garps = (ip: string, mac: string) =>
    h.tcpdump.split(`Reply ${ip} is-at ${mac}, length 46`).length - 1;

  before(async () => {
    await h.setUp(41_000);
    h.put(seedPolicy('policy1', ['^eth[0-9]+']));
    h.put(lbService('web', VIP));
    h.put(lbService('web2', VIP2));
    for (const n of NODES) h.startAgent(n);
    const ok = await waitFor(() => (h.holder('web') && h.holder('web2') ? true : undefined), 20_000, 300);
    assert.ok(ok, `no holders; logs:\n${h.dump()}`);
  });

  after(async () => {
    await h.destroy();
  });

  it('interface regex ^eth1$: eth0 entries removed, eth1 kept with its counter, lease unchanged', async () => {
    const holder = h.holder('web');
    const hn = h.node(holder);
    const both = await waitForAsync(
      async () => ((await entries(holder)).length === 2 ? true : undefined),
      5000,
    );
    assert.ok(both, 'holder has entries on eth0 and eth1');
    for (let i = 0; i < 3; i++) assert.equal(await h.arpingUntilAnswer('eth1'), hn.ns.mac('eth1'));
    const eth1Before = BigInt((await entries(holder)).find((e) => e.startsWith('eth1='))?.slice(5) ?? '0');
    assert.ok(eth1Before >= 3n, `eth1 counter ${eth1Before} counts the answered arpings`);
    const leaseBefore = h.lease('web');
    const garpsBefore = garps(VIP, hn.ns.mac('eth1'));
    assert.ok(garpsBefore >= 1, 'the GARP filter sees the acquisition GARP on eth1');

    h.put(seedPolicy('policy1', ['^eth1$']));
    let now: string[] = [];
    for (let i = 0; i < 50; i++) {
      now = await entries(holder);
      if (now.length === 1) break;
      await sleep(100);
    }
    assert.equal(now.length, 1, `one entry left: ${now.join(' ')}`);
    assert.match(now[0] ?? '', /^eth1=\d+$/);
    assert.ok(BigInt(now[0]?.slice(5) ?? '0') >= eth1Before, 'the eth1 counter was not reset');
    assert.equal(await h.arping('eth0'), '', 'nobody answers on eth0 any more');
    assert.equal(await h.arpingUntilAnswer('eth1'), hn.ns.mac('eth1'));
    const leaseAfter = h.lease('web');
    assert.equal(leaseAfter?.holderIdentity, leaseBefore?.holderIdentity, 'same holder');
    assert.equal(leaseAfter?.leaseTransitions, leaseBefore?.leaseTransitions, 'no transition');
    assert.equal(leaseAfter?.acquireTime, leaseBefore?.acquireTime, 'not re-acquired');
    assert.equal(garps(VIP, hn.ns.mac('eth1')), garpsBefore, 'no new GARP: the eth1 key already existed');
    assert.deepEqual(await entries(other(holder)), [], 'the other node announces nothing');
  });

  it(`label ${CONTROL_PLANE} on the holder: it releases, the other node takes over`, async () => {
    const holder = h.holder('web');
    const next = other(holder);
    const before = h.lease('web');
    const garpsBefore = garps(VIP, h.node(next).ns.mac('eth1'));
    const t0 = Date.now();
    h.setNodeLabels(holder, (l) => ({ ...l, [CONTROL_PLANE]: '' }));
    const moved = await waitFor(() => (h.holder('web') === next ? true : undefined), 10_000, 100);
    const movedMs = Date.now() - t0;
    assert.ok(moved, `lease did not move to ${next}; logs:\n${h.dump()}`);
    process.stdout.write(
      `# label change → lease held by the other node after ≈${movedMs} ms (polled every 100 ms)\n`,
    );
    // Both services are now on `next`: the labelled node runs for nothing at all.
    assert.ok(await waitFor(() => (h.holder('web2') === next ? true : undefined), 10_000, 200));
    const st = await h.status(holder);
    assert.deepEqual(st.l2.leases, [], 'no elections on a node the policy no longer selects');
    assert.equal(st.l2.responder.length, 0, 'its responder entries are gone');
    assert.match(h.logs.get(holder) ?? '', new RegExp(`lease ${leaseOf('web')} lost or released`));
    assert.equal(h.lease('web')?.leaseTransitions, (before?.leaseTransitions ?? 0) + 1);
    assert.equal(await h.arpingUntilAnswer('eth1'), h.node(next).ns.mac('eth1'));
    assert.equal(await h.arping('eth0'), '', 'still only eth1 (policy regex ^eth1$)');
    await sleep(200);
    assert.ok(garps(VIP, h.node(next).ns.mac('eth1')) > garpsBefore, 'GARP from the new holder on eth1');
  });

  it('`waggle get lease -n kube-system` shows the holder', () => {
    const holder = h.holder('web');
    const out = h.lab.sw.exec(
      'node',
      ['bin/waggle.js', '--store', h.lab.etcdUrl, 'get', 'lease', '-n', 'kube-system'],
      {
        timeoutMs: 20_000,
      },
    ).stdout;
    assert.match(out, /^NAME\s+HOLDER\s+AGE/);
    assert.match(out, new RegExp(`^${leaseOf('web')}\\s+${holder}\\s+\\S+$`, 'm'));
    assert.match(out, new RegExp(`^${leaseOf('web2')}\\s+${h.holder('web2')}\\s+\\S+$`, 'm'));
  });

  it('service delete: its lease is released and its entries go; the other service stays', async () => {
    const holder = h.holder('web2');
    assert.deepEqual(await entries(holder, VIP2), [`eth1=0`]);
    h.lab.store('delete', 'Service', 'web2', 'default');
    const gone = await waitForAsync(
      async () => ((await entries(holder, VIP2)).length === 0 ? true : undefined),
      5000,
    );
    assert.ok(gone, 'web2 entries removed');
    const released = await waitFor(() => releasedOrCollected('web2'), 5000, 200);
    assert.ok(released, `web2 lease released (holder now "${h.holder('web2')}")`);
    assert.equal(await h.arping('eth1', 1, VIP2), '', `nobody answers for ${VIP2}`);
    assert.equal(h.holder('web'), holder, 'web keeps its holder');
    assert.equal((await entries(holder)).length, 1);
  });

  it('policy delete: every entry goes, every lease is released and then garbage-collected', async () => {
    h.lab.store('delete', 'CiliumL2AnnouncementPolicy', 'policy1');
    const empty = await waitForAsync(async () => {
      const counts = await Promise.all(NODES.map(async (n) => (await h.status(n)).l2.responder.length));
      return counts.every((c) => c === 0) ? true : undefined;
    }, 5000);
    assert.ok(empty, 'no responder entries on any node');
    const released = await waitFor(() => releasedOrCollected('web'), 5000, 200);
    assert.ok(released, 'web lease released');
    // (A GC pass may already have deleted it; then there is no record left to inspect.)
    if (released !== 'collected')
      assert.equal(released.leaseDurationSeconds, 1, 'released as client-go does (duration 1 s)');
    assert.equal(await h.arping('eth1'), '', 'nobody answers');
    // Lease GC runs every minute in each agent; both released leases must be deleted.
    const t0 = Date.now();
    const collected = await waitFor(
      () => (h.lease('web') === null && h.lease('web2') === null ? true : undefined),
      75_000,
      1000,
    );
    assert.ok(collected, `released leases not collected; logs:\n${h.dump()}`);
    process.stdout.write(
      `# released leases garbage-collected ${Date.now() - t0} ms after the policy delete\n`,
    );
    // The deleting agent's log line may arrive a moment after the store shows the deletion.
    const logged = await waitFor(
      () =>
        /lease GC deleted .*waggle-l2announce-default-web/.test([...h.logs.values()].join('\n'))
          ? true
          : undefined,
      5000,
      100,
    );
    assert.ok(logged, `no "lease GC deleted" log line; logs:\n${h.dump()}`);
    for (const n of NODES) assert.deepEqual((await h.status(n)).l2.leases, [], `${n} runs no election`);
  });
});

// End to end: an agent's flags and its Prometheus endpoint, checked against what happened.
// node-a: --node-labels zone=a, --devices eth+ (prefix wildcard), 2 GARPs per new entry.
// node-b: --node-labels with the control-plane label (the seed policy excludes it), --devices eth1.
// /metrics is scraped inside each node's namespace; every figure is compared with a count the
// test made itself (arping replies, tcpdump's GARPs, the lease record, the agent's status).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AgentHarness,
  CONTROL_PLANE,
  lbService,
  metric,
  seedPolicy,
  sleep,
  VIP,
  waitFor,
  waitForAsync,
} from './agent-harness.js';
import { MAP_SAMPLE_MS } from './agent-lab.js';

const PORT = 9962;
const SVC = { service: 'default/web' };

describe('waggle agent: --node-labels, --devices and the metrics endpoint', { timeout: 120_000 }, () => {
  const h = new AgentHarness();
  const garps = (mac: string) => h.tcpdump.split(`Reply ${VIP} is-at ${mac}, length 46`).length - 1;
  const arpings = async (dev: string, count: number) => {
    const r = await h.lab.client.ns.execAsync(
      'arping',
      ['-c', String(count), '-W', '0.1', '-I', dev, VIP],
      10_000,
    );
    return Number(/(\d+) packets received/.exec(r.stdout)?.[1] ?? 'NaN');
  };

  before(async () => {
    await h.setUp(10_000);
    h.put(seedPolicy('policy1', ['^eth[0-9]+']));
    h.put(lbService('web', VIP));
    const metrics = ['--metrics-addr', `127.0.0.1:${PORT}`];
    h.startAgent('node-a', [
      ...metrics,
      '--node-labels',
      'zone=a,tier=edge',
      '--devices',
      'eth+',
      '--gratuitous-arp-count',
      '2',
      '--gratuitous-arp-interval',
      '300ms',
    ]);
    h.startAgent('node-b', [...metrics, '--node-labels', `${CONTROL_PLANE}=`, '--devices', 'eth1']);
    assert.ok(await waitFor(() => h.holder() || undefined, 20_000, 300), `no holder; logs:\n${h.dump()}`);
  });

  after(async () => {
    await h.destroy();
  });

  it('--node-labels: registered on the Node; the control-plane node never runs for the lease', async () => {
    const node = (n: string) => JSON.parse(h.lab.store('get', 'Node', n) || 'null');
    assert.deepEqual(node('node-a').metadata.labels, {
      'kubernetes.io/hostname': 'node-a',
      zone: 'a',
      tier: 'edge',
    });
    assert.equal(node('node-b').metadata.labels[CONTROL_PLANE], '');
    assert.equal(h.holder(), 'node-a');
    const b = await h.status('node-b');
    assert.deepEqual(b.l2.leases, [], 'node-b runs no election');
    assert.equal(b.l2.responder.length, 0);
    assert.doesNotMatch(h.logs.get('node-b') ?? '', /lease \S+ acquired/);
  });

  it('--devices: "eth+" selects eth0 and eth1, "eth1" only eth1, and from_netdev is attached only there', async () => {
    const names = async (n: string) => (await h.status(n)).devices.map((d) => d.name).sort();
    assert.deepEqual(await names('node-a'), ['eth0', 'eth1']);
    assert.deepEqual(await names('node-b'), ['eth1']);
    const filter = (n: string, dev: string) =>
      h.node(n).ns.exec('tc', ['filter', 'show', 'dev', dev, 'ingress']).stdout;
    assert.match(filter('node-a', 'eth0'), /from_netdev/);
    assert.match(filter('node-a', 'eth1'), /from_netdev/);
    assert.doesNotMatch(filter('node-b', 'eth0'), /from_netdev/);
    assert.match(filter('node-b', 'eth1'), /from_netdev/);
  });

  it('metrics of the holder and of the excluded node match what happened', async () => {
    const a = h.node('node-a');
    // 2 GARPs per interface at 300 ms intervals: all sent once both are in tcpdump.
    const sent = await waitFor(
      () => (garps(a.ns.mac('eth0')) >= 2 && garps(a.ns.mac('eth1')) >= 2 ? true : undefined),
      5000,
    );
    assert.ok(sent, 'two GARPs seen per interface');
    const got0 = await arpings('eth0', 4);
    const got1 = await arpings('eth1', 3);
    assert.equal(got0, 4);
    assert.equal(got1, 3);
    await sleep(MAP_SAMPLE_MS * 3); // gauges of map contents read the agent's last sample
    const text = h.scrape('node-a', PORT);
    assert.equal(metric(text, 'waggle_l2_leases_held'), 1);
    assert.equal(metric(text, 'waggle_l2_lease_transitions_total', { ...SVC, event: 'acquired' }), 1);
    assert.equal(metric(text, 'waggle_l2_lease_transitions_total', { ...SVC, event: 'lost' }), undefined);
    assert.equal(metric(text, 'waggle_l2_responder_entries'), 2);
    assert.equal(metric(text, 'waggle_l2_responses_sent', { ip: VIP }), got0 + got1, 'replies per IP');
    for (const dev of ['eth0', 'eth1']) {
      assert.equal(metric(text, 'waggle_l2_gratuitous_arps_sent_total', { interface: dev }), 2);
      assert.equal(garps(a.ns.mac(dev)), 2, `tcpdump saw exactly the 2 GARPs from ${dev}`);
    }
    const age = metric(text, 'waggle_agent_liveness_age_seconds');
    assert.ok(age !== undefined && age >= 0 && age < 1, `liveness age ${age}s (written every 200 ms)`);
    const st = await h.status('node-a');
    const sum = st.l2.responder.reduce((n, e) => n + Number(e.responsesSent), 0);
    assert.equal(sum, got0 + got1, 'the map counters agree with the scrape');

    const b = h.scrape('node-b', PORT);
    assert.equal(metric(b, 'waggle_l2_leases_held'), 0);
    assert.equal(metric(b, 'waggle_l2_responder_entries'), 0);
    assert.equal(metric(b, 'waggle_l2_lease_transitions_total', { ...SVC, event: 'acquired' }), undefined);
    assert.equal(metric(b, 'waggle_l2_gratuitous_arps_sent_total', { interface: 'eth1' }), undefined);
    assert.ok((metric(b, 'waggle_agent_liveness_age_seconds') ?? -1) >= 0, 'liveness age present on node-b');
  });

  it('moving the lease with labels shows up as lost on one node and acquired on the other', async () => {
    h.setNodeLabels('node-b', (l) => {
      const { [CONTROL_PLANE]: _cp, ...rest } = l;
      return rest;
    });
    h.setNodeLabels('node-a', (l) => ({ ...l, [CONTROL_PLANE]: '' }));
    assert.ok(await waitFor(() => (h.holder() === 'node-b' ? true : undefined), 10_000, 200), h.dump());
    const entries = await waitForAsync(
      async () => ((await h.status('node-b')).l2.responder.length === 1 ? true : undefined),
      5000,
    );
    assert.ok(entries, 'node-b has its one entry (eth1)');
    await sleep(200);
    const a = h.scrape('node-a', PORT);
    assert.equal(metric(a, 'waggle_l2_leases_held'), 0);
    assert.equal(metric(a, 'waggle_l2_lease_transitions_total', { ...SVC, event: 'lost' }), 1);
    assert.equal(metric(a, 'waggle_l2_responder_entries'), 0);
    assert.equal(
      metric(a, 'waggle_l2_responses_sent', { ip: VIP }),
      undefined,
      'no entries, no per-IP sample',
    );
    const b = h.scrape('node-b', PORT);
    assert.equal(metric(b, 'waggle_l2_leases_held'), 1);
    assert.equal(metric(b, 'waggle_l2_lease_transitions_total', { ...SVC, event: 'acquired' }), 1);
    assert.equal(metric(b, 'waggle_l2_responder_entries'), 1);
    assert.equal(
      metric(b, 'waggle_l2_gratuitous_arps_sent_total', { interface: 'eth1' }),
      1,
      'default count 1',
    );
    assert.equal(metric(b, 'waggle_l2_gratuitous_arps_sent_total', { interface: 'eth0' }), undefined);
    assert.equal(await h.arpingUntilAnswer('eth1'), h.node('node-b').ns.mac('eth1'));
    assert.equal(await h.arping('eth0'), '', 'node-b announces only on its --devices eth1');
    await sleep(MAP_SAMPLE_MS * 3);
    assert.equal(metric(h.scrape('node-b', PORT), 'waggle_l2_responses_sent', { ip: VIP }), 1);
  });
});

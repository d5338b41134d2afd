// L2Metrics: gauges follow their source on every scrape (leases held, responder entries and
// responses per IP summed over interfaces, from the last sample), counters count events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { L2Metrics, type L2MetricsSource } from './metrics.js';

const sample = (text: string, line: string) => text.split('\n').includes(line);

describe('L2Metrics', () => {
  it('collects gauges from the source on each scrape', async () => {
    const registry = new Registry();
    let held = 2;
    let rows: ReturnType<L2MetricsSource['responder']> = [
      { ip: '10.0.10.0', responsesSent: '5' },
      { ip: '10.0.10.0', responsesSent: '7' },
      { ip: '10.0.10.1', responsesSent: '0' },
    ];
    new L2Metrics([registry], { leasesHeld: () => held, responder: () => rows, sampleSeconds: 10 });
    let text = await registry.metrics();
    assert.ok(sample(text, 'waggle_l2_leases_held 2'), text);
    assert.ok(sample(text, 'waggle_l2_responder_entries 3'));
    assert.ok(sample(text, 'waggle_l2_responses_sent{ip="10.0.10.0"} 12'), 'summed over interfaces');
    assert.ok(sample(text, 'waggle_l2_responses_sent{ip="10.0.10.1"} 0'));
    held = 0;
    rows = [];
    text = await registry.metrics();
    assert.ok(sample(text, 'waggle_l2_leases_held 0'));
    assert.ok(sample(text, 'waggle_l2_responder_entries 0'));
    assert.doesNotMatch(text, /waggle_l2_responses_sent\{/, 'IPs no longer in the map disappear');
  });

  it('counts lease transitions and gratuitous ARPs by label', async () => {
    const registry = new Registry();
    const m = new L2Metrics([registry], { leasesHeld: () => 0, responder: () => [], sampleSeconds: 10 });
    m.leaseTransitions.inc({ service: 'default/web', event: 'acquired' });
    m.leaseTransitions.inc({ service: 'default/web', event: 'lost' });
    m.leaseTransitions.inc({ service: 'default/web', event: 'acquired' });
    m.garpsSent.inc({ interface: 'eth0' }, 3);
    const text = await registry.metrics();
    assert.ok(
      sample(text, 'waggle_l2_lease_transitions_total{service="default/web",event="acquired"} 2'),
      text,
    );
    assert.ok(sample(text, 'waggle_l2_lease_transitions_total{service="default/web",event="lost"} 1'));
    assert.ok(sample(text, 'waggle_l2_gratuitous_arps_sent_total{interface="eth0"} 3'));
  });
});

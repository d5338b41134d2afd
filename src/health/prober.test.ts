import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeResult } from './health-status.js';
import { probeCluster, runBounded } from './prober.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

test('runBounded keeps at most `limit` jobs in flight and keeps result order', async () => {
  let inFlight = 0;
  let peak = 0;
  const jobs = Array.from({ length: 10 }, (_, i) => async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await tick();
    inFlight--;
    return i;
  });
  const out = await runBounded(jobs, 4, new AbortController().signal);
  assert.equal(peak, 4);
  assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('runBounded starts nothing new once aborted', async () => {
  const ac = new AbortController();
  let started = 0;
  const jobs = Array.from({ length: 6 }, () => async () => {
    started++;
    await tick();
    ac.abort();
    return 1;
  });
  const out = await runBounded(jobs, 2, ac.signal);
  assert.equal(started, 2);
  assert.equal(out.filter((x) => x === undefined).length, 4);
});

test('probeCluster: both probes on both addresses; a missing InternalIP names the field', async () => {
  const calls: string[] = [];
  const probes = {
    icmp: async (ip: string): Promise<ProbeResult> => {
      calls.push(`icmp ${ip}`);
      return { ok: true, rttMs: 1 };
    },
    http: async (ip: string): Promise<ProbeResult> => {
      calls.push(`http ${ip}`);
      return { ok: false, error: `refused ${ip}` };
    },
  };
  const nodes = await probeCluster(
    [
      { name: 'a', hostIp: '10.0.0.1', healthIp: '10.1.0.1' },
      { name: 'b', hostIp: undefined, healthIp: undefined },
    ],
    new AbortController().signal,
    { probes },
  );
  assert.deepEqual(calls.sort(), ['http 10.0.0.1', 'http 10.1.0.1', 'icmp 10.0.0.1', 'icmp 10.1.0.1']);
  assert.deepEqual(nodes[0], {
    name: 'a',
    host: { ip: '10.0.0.1', icmp: { ok: true, rttMs: 1 }, http: { ok: false, error: 'refused 10.0.0.1' } },
    endpoint: {
      ip: '10.1.0.1',
      icmp: { ok: true, rttMs: 1 },
      http: { ok: false, error: 'refused 10.1.0.1' },
    },
  });
  assert.equal(nodes[1]?.host.ip, 'Unavailable');
  assert.equal(nodes[1]?.host.icmp.error, 'CiliumNode b: spec.addresses has no InternalIP');
  assert.equal(nodes[1]?.endpoint, undefined);
});

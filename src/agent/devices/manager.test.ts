// The rescan queue, with discovery faked and no device selected (so nothing is attached).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BpfProgram } from '../../bpf/index.js';
import type { Device } from './discover.js';
import { DeviceManager } from './manager.js';

function harness() {
  let active = 0;
  let maxActive = 0;
  let calls = 0;
  const gates: Array<() => void> = [];
  const discover = async (): Promise<Device[]> => {
    calls++;
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((resolve) => gates.push(resolve));
    active--;
    return [];
  };
  const mgr = new DeviceManager({
    program: {} as BpfProgram,
    devicesMap: { set: () => {}, delete: () => true },
    patterns: [/^nothing-matches$/],
    log: () => {},
    onChange: () => {},
    discover,
  });
  const release = async () => {
    // Let queued continuations reach the gate before opening it.
    for (let i = 0; i < 10 && gates.length === 0; i++) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { mgr, release, stats: () => ({ calls, maxActive, waiting: gates.length }) };
}

test('rescans never overlap; requests during one coalesce into one follow-up', async () => {
  const h = harness();
  const first = h.mgr.rescan();
  const during = [h.mgr.rescan(), h.mgr.rescan(), h.mgr.rescan()];
  assert.equal(during[0], during[2], 'all requests during a scan share the follow-up');
  assert.notEqual(first, during[0]);
  await h.release();
  assert.equal(await first, false);
  await h.release();
  assert.deepEqual(await Promise.all(during), [false, false, false]);
  assert.deepEqual(h.stats(), { calls: 2, maxActive: 1, waiting: 0 });
  // Idle again: the next request starts a scan of its own.
  const later = h.mgr.rescan();
  await h.release();
  await later;
  assert.equal(h.stats().calls, 3);
});

test('a failing scan rejects its callers and still runs the follow-up', async () => {
  let n = 0;
  const mgr = new DeviceManager({
    program: {} as BpfProgram,
    devicesMap: { set: () => {}, delete: () => true },
    patterns: [/^nothing-matches$/],
    log: () => {},
    onChange: () => {},
    discover: async () => {
      n++;
      await new Promise((r) => setImmediate(r));
      if (n === 1) throw new Error('ip: not found');
      return [];
    },
  });
  const first = mgr.rescan();
  const next = mgr.rescan();
  await assert.rejects(first, /ip: not found/);
  assert.equal(await next, false);
  assert.equal(n, 2);
});

test('after stop, a queued follow-up does not scan', async () => {
  const h = harness();
  const first = h.mgr.rescan();
  const queued = h.mgr.rescan();
  h.mgr.stop();
  await h.release();
  await first;
  assert.equal(await queued, false);
  assert.equal(h.stats().calls, 1);
});

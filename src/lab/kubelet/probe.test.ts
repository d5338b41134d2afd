import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbeSchema } from '../../api/pod-spec.js';
import { ProbeTracker } from './probe.js';

const probe = (o: Record<string, unknown>) => ProbeSchema.parse({ tcpSocket: { port: 80 }, ...o });

test('no probe before initialDelaySeconds, then one per period, never two at once', () => {
  const t = new ProbeTracker(probe({ initialDelaySeconds: 2, periodSeconds: 5 }), 1000);
  assert.equal(t.due(2999), false);
  assert.equal(t.due(3000), true);
  t.begin(3000);
  assert.equal(t.due(9000), false, 'the first is still running');
  t.record(true);
  assert.equal(t.due(7999), false);
  assert.equal(t.due(8000), true);
});

test('ready after successThreshold successes in a row, unready after failureThreshold failures in a row', () => {
  const t = new ProbeTracker(probe({ successThreshold: 2, failureThreshold: 3 }), 0);
  assert.equal(t.ready, false, 'not ready before the first result');
  assert.equal(t.record(true), false);
  assert.equal(t.record(true), true);
  assert.equal(t.ready, true);
  t.record(false);
  t.record(false);
  t.record(true); // a success in between restarts the failure count
  t.record(false);
  t.record(false);
  assert.equal(t.ready, true);
  assert.equal(t.record(false), true);
  assert.equal(t.ready, false);
  assert.equal(t.timeoutMs, 1000);
});

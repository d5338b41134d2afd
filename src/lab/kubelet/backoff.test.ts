import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMessage, KUBELET_BACKOFF, restartDelayMs, shouldRestart } from './backoff.js';

test('restart back-off: immediate first restart, then 10 s doubling to the 300 s cap, reset after a long run', () => {
  const d = (streak: number, ran = 1000) => restartDelayMs(streak, ran, KUBELET_BACKOFF);
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => d(n)),
    [0, 10e3, 20e3, 40e3, 80e3, 160e3, 300e3, 300e3],
  );
  assert.equal(d(6, 600_000), 0, 'ran 10 minutes: back to an immediate restart');
});

test('restartPolicy decides by exit code', () => {
  assert.equal(shouldRestart('Always', 0), true);
  assert.equal(shouldRestart('OnFailure', 0), false);
  assert.equal(shouldRestart('OnFailure', 137), true);
  assert.equal(shouldRestart('Never', 1), false);
});

test("the waiting message reads like the kubelet's", () => {
  assert.equal(
    backoffMessage(20_000, 'web', 'webpod1', 'default', 'u1'),
    'back-off 20s restarting failed container=web pod=webpod1_default(u1)',
  );
});

// The rolling update's numbers: Kubernetes' rounding (surge up, unavailability down), the 0/0
// fencepost, and whole rollouts stepped to the end, checking the bounds at every step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  newReplicaSetReplicas,
  resolveFenceposts,
  type RsCounts,
  scaledValue,
  scaleDownOld,
} from './rollout-math.js';

test('percentages: surge rounds up, unavailability rounds down', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(2, '50%', 5), { surge: 2, unavailable: 2 });
  assert.equal(scaledValue('33%', 3, true), 1);
  assert.equal(scaledValue('33%', 3, false), 0);
});

test('0 surge and 0 unavailable after rounding: unavailability becomes 1', () => {
  assert.deepEqual(resolveFenceposts('10%', '10%', 3), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(0, '10%', 3), { surge: 0, unavailable: 1 });
});

/** Steps a rollout where every scaled-up pod is available at once, as the controller would. */
function rollout(desired: number, surge: number, unavailable: number, oldReplicas: number) {
  const old: RsCounts = { replicas: oldReplicas, available: oldReplicas };
  const next: RsCounts = { replicas: 0, available: 0 };
  const trace: string[] = [];
  for (let step = 0; step < 50; step++) {
    const up = newReplicaSetReplicas(desired, surge, [old, next], next);
    if (up !== next.replicas) {
      next.replicas = up;
    } else {
      const [down] = scaleDownOld(desired, unavailable, [old], next);
      if (down === old.replicas) break;
      old.replicas = down as number;
      old.available = Math.min(old.available, old.replicas);
    }
    // Bounds hold right after the write, before any new pod is available.
    assert.ok(old.replicas + next.replicas <= desired + surge, `surge exceeded at ${trace.length}`);
    assert.ok(
      old.available + next.available >= desired - unavailable,
      `availability lost at ${trace.length}`,
    );
    trace.push(`${old.replicas}/${next.replicas}`);
    next.available = next.replicas; // the new pods become ready
  }
  return trace;
}

test('a rolling update of 4 replicas with maxSurge 1, maxUnavailable 0 goes one pod at a time', () => {
  assert.deepEqual(rollout(4, 1, 0, 4), ['4/1', '3/1', '3/2', '2/2', '2/3', '1/3', '1/4', '0/4']);
});

test('the default 25%/25% with 10 replicas: 3 up, then old down by what availability allows', () => {
  const trace = rollout(10, 3, 2, 10);
  assert.equal(trace[0], '10/3');
  assert.equal(trace[1], '5/3', 'old scaled to 10 - (13 - 8) once the 3 new are available');
  assert.equal(trace.at(-1), '0/10');
});

test('unhealthy old replicas go first, as far as the pods above minAvailable allow', () => {
  // 3 old + 1 new, none of the old available, minAvailable 2: two of the old go at once.
  assert.deepEqual(scaleDownOld(3, 1, [{ replicas: 3, available: 0 }], { replicas: 1, available: 1 }), [1]);
});

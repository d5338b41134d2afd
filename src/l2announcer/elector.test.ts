import { namespacedName } from '../api/object-key.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from './clock.js';
import { LeaseElector } from './elector.js';
import { Elections } from './elections.js';
import type { LeaseClient, LeaseRecord, VersionedLease } from './lease-client.js';
import { leaseStoreFixture } from './lease-fixture.test-helper.js';
import { DEFAULT_TIMINGS, parseDuration, sanitizeTimings } from './timings.js';

type Flaky = LeaseClient & { down: boolean };

/** A node's view of the shared store that can be cut off (a partition, or etcd stopped). */
function flaky(inner: LeaseClient): Flaky {
  const view: Flaky = {
    down: false,
    get: (n) => guard(() => inner.get(n)),
    create: (n, r) => guard(() => inner.create(n, r)),
    update: (n, r, v) => guard(() => inner.update(n, r, v)),
    list: () => guard(() => inner.list()),
    delete: (n, v) => guard(() => inner.delete(n, v)),
  };
  function guard<T>(f: () => Promise<T>): Promise<T> {
    return view.down ? Promise.reject(new Error('store unavailable')) : f();
  }
  return view;
}

function startElector(client: LeaseClient, clock: FakeClock, identity: string, events: string[]) {
  const abort = new AbortController();
  const elector = new LeaseElector({
    client,
    clock,
    name: 'waggle-l2announce-default-web',
    identity,
    timings: DEFAULT_TIMINGS,
    random: () => 0.5,
    onStartedLeading: () => events.push(`${clock.now()} ${identity} start`),
    onStoppedLeading: () => events.push(`${clock.now()} ${identity} stop`),
  });
  const done = elector.run(abort.signal);
  return { elector, abort, done };
}

const rec = async (c: LeaseClient): Promise<LeaseRecord> => {
  const got: VersionedLease | undefined = await c.get('waggle-l2announce-default-web');
  assert.ok(got, 'lease exists');
  return got.record;
};

describe('lease elector (client-go semantics)', () => {
  it('first candidate acquires, the other never takes a renewed lease', async () => {
    const fx = await leaseStoreFixture();
    try {
      const clock = new FakeClock();
      const t0 = clock.now();
      const events: string[] = [];
      const a = startElector(fx.client, clock, 'node-a', events);
      await clock.advance(1);
      const b = startElector(fx.client, clock, 'node-b', events);
      await clock.advance(60_000);
      assert.deepEqual(events, [`${t0} node-a start`]);
      const r = await rec(fx.client);
      assert.equal(r.holderIdentity, 'node-a');
      assert.equal(r.leaseDurationSeconds, 15);
      assert.equal(r.leaseTransitions, 0);
      assert.match(r.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.ok(Date.parse(r.renewTime) > Date.parse(r.acquireTime), 'renewed since acquisition');
      assert.ok(Date.parse(r.renewTime) >= clock.now() - 2000, 'renewed within the last retry period');
      a.abort.abort();
      b.abort.abort();
      await Promise.all([a.done, b.done]);
    } finally {
      await fx.close();
    }
  });

  it('holder cut off: stops leading by renewDeadline; other takes over after leaseDuration', async () => {
    const fx = await leaseStoreFixture();
    try {
      const clock = new FakeClock();
      const events: string[] = [];
      const va = flaky(fx.client);
      const a = startElector(va, clock, 'node-a', events);
      await clock.advance(1);
      const b = startElector(fx.client, clock, 'node-b', events);
      await clock.advance(10_000);
      const lastRenew = Date.parse((await rec(fx.client)).renewTime);
      va.down = true;
      const cut = clock.now();
      await clock.advance(30_000);
      const stop = events.find((e) => e.endsWith('node-a stop'));
      const bStart = events.find((e) => e.endsWith('node-b start'));
      assert.ok(stop && bStart, `events: ${events.join('; ')}`);
      const stopAt = Number(stop.split(' ')[0]);
      const takeAt = Number(bStart.split(' ')[0]);
      // The next renewal starts at most one retry period after the cut and gives up after
      // renewDeadline (client-go counts the deadline from the start of each renewal).
      const bound = DEFAULT_TIMINGS.retryPeriodMs + DEFAULT_TIMINGS.renewDeadlineMs;
      assert.ok(stopAt - cut <= bound, `stopped ${stopAt - cut} ms after the cut`);
      assert.ok(stopAt - cut >= DEFAULT_TIMINGS.renewDeadlineMs, 'kept leading until the renew deadline');
      // B saw the last change at most one poll (≤ 2 s × 2.2) after it happened.
      assert.ok(takeAt - lastRenew >= DEFAULT_TIMINGS.leaseDurationMs, 'no takeover before leaseDuration');
      assert.ok(
        takeAt - lastRenew <= DEFAULT_TIMINGS.leaseDurationMs + 2 * 4400,
        `took over after ${takeAt - lastRenew} ms`,
      );
      assert.ok(stopAt < takeAt, 'no split brain: A stopped before B started');
      const r = await rec(fx.client);
      assert.equal(r.holderIdentity, 'node-b');
      assert.equal(r.leaseTransitions, 1);
      a.abort.abort();
      b.abort.abort();
      await Promise.all([a.done, b.done]);
    } finally {
      await fx.close();
    }
  });

  it('releases on cancel and the other acquires at its next poll', async () => {
    const fx = await leaseStoreFixture();
    try {
      const clock = new FakeClock();
      const events: string[] = [];
      const a = startElector(fx.client, clock, 'node-a', events);
      await clock.advance(1);
      const b = startElector(fx.client, clock, 'node-b', events);
      await clock.advance(5_000);
      a.abort.abort();
      await clock.advance(1);
      await a.done;
      assert.equal((await rec(fx.client)).holderIdentity === 'node-a', false, 'released');
      const released = clock.now();
      await clock.advance(5_000);
      const bStart = events.find((e) => e.endsWith('node-b start'));
      assert.ok(bStart, events.join('; '));
      assert.ok(Number(bStart.split(' ')[0]) - released <= 4400, 'within one jittered retry period');
      b.abort.abort();
      await clock.advance(1);
      await b.done;
    } finally {
      await fx.close();
    }
  });

  it('garbage-collects released leases only', async () => {
    const fx = await leaseStoreFixture();
    try {
      const clock = new FakeClock();
      const el = new Elections({
        client: fx.client,
        clock,
        identity: 'node-a',
        timings: DEFAULT_TIMINGS,
        onLeadingChanged: () => {},
        random: () => 0,
      });
      await el.sync([namespacedName('default', 'web'), namespacedName('default', 'api')]);
      await clock.advance(100);
      assert.deepEqual(el.leading().sort(), ['default/api', 'default/web']);
      await el.sync([namespacedName('default', 'api')]); // web deselected → released
      assert.deepEqual(await el.collectGarbage(), ['waggle-l2announce-default-web']);
      assert.deepEqual(
        (await fx.client.list()).map((l) => l.name),
        ['waggle-l2announce-default-api'],
      );
      await el.stopAll();
    } finally {
      await fx.close();
    }
  });
});

describe('lease timings', () => {
  it('parses Go durations', () => {
    assert.equal(parseDuration('15s'), 15_000);
    assert.equal(parseDuration('200ms'), 200);
    assert.equal(parseDuration('1.1s'), 1100);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.throws(() => parseDuration('15', '--x'), /--x "15": not a duration/);
    assert.throws(() => parseDuration('', '--x'), /not a duration/);
  });
  it('sanitises like leaseTimings()', () => {
    const warnings: string[] = [];
    const t = sanitizeTimings({ leaseDurationMs: 500, renewDeadlineMs: 5000, retryPeriodMs: 0 }, (w) =>
      warnings.push(w),
    );
    // 500 → 1000; retry 0 → 200; 1000 ≤ 5000 → renew 500; 500 ≤ 1.2 × 200? no → unchanged.
    assert.deepEqual(t, { leaseDurationMs: 1000, renewDeadlineMs: 500, retryPeriodMs: 200 });
    assert.equal(warnings.length, 3);
    assert.deepEqual(sanitizeTimings({ leaseDurationMs: 3000, renewDeadlineMs: 1000, retryPeriodMs: 1000 }), {
      leaseDurationMs: 3000,
      renewDeadlineMs: 1000,
      retryPeriodMs: 500,
    });
    assert.deepEqual(sanitizeTimings(DEFAULT_TIMINGS), DEFAULT_TIMINGS);
  });
});

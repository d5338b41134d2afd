// EtcdStore.close() never waits on the member: with etcd stalled (SIGSTOPped, connections open,
// no answers) a read in flight fails at once with StoreUnavailableError instead of at its 5 s
// deadline, the watch stream is cancelled, and a call after close fails without a network try.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { StoreUnavailableError } from './errors.js';
import { EtcdStore } from './etcd.js';

let etcd: TestEtcd;
let stalled = false;

before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  if (stalled) process.kill(etcd.pid, 'SIGCONT');
  await etcd?.stop();
});

/** Waits (bounded) until every thread of `pid` is in the stopped state. */
async function untilStopped(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const states = readdirSync(`/proc/${pid}/task`).map(
      (t) => readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1]?.[0],
    );
    if (states.every((st) => st === 'T')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`etcd pid ${pid} did not stop within 2 s`);
}

test('close() with the member stalled ends calls in flight and the watch at once', async () => {
  const store = new EtcdStore({ endpoints: etcd.endpoints, prefix: '/close-test/' });
  const watch = store.watch({ kind: 'Service' });
  try {
    const watched = (async () => {
      for await (const _ of watch) {
        // no events expected
      }
    })();
    await store.list({ kind: 'Service' }); // connected, watch stream open
    await new Promise((r) => setTimeout(r, 200));
    process.kill(etcd.pid, 'SIGSTOP');
    stalled = true;
    // The stop is delivered asynchronously: on a loaded host etcd could still answer the next call.
    await untilStopped(etcd.pid);
    const t0 = performance.now();
    const inFlight = store.list({ kind: 'Service' }).then(
      () => assert.fail('a list against a stalled etcd cannot succeed'),
      (err: unknown) => ({ err, ms: performance.now() - t0 }),
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(store.callsInFlight >= 2, `list and watch stream in flight, got ${store.callsInFlight}`);
    await store.close();
    const { err, ms } = await inFlight;
    assert.ok(err instanceof StoreUnavailableError, String(err));
    assert.ok(ms < 1000, `in-flight list failed after ${Math.round(ms)} ms (deadline is 5000)`);
    assert.equal(store.callsInFlight, 0);
    await watched;
    await assert.rejects(store.get('Service', 'x'), /store closed/);
  } finally {
    // Also after a failed assertion: an open watch would keep this file's process alive.
    watch.close();
    await store.close();
  }
});

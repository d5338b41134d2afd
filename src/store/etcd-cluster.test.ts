// The etcd store against a real 3-member cluster, opened the way users open it
// (`etcd://h1:p1,h2:p2,h3:p3`): plain CRUD and list-then-watch; SIGKILL of the leader while a
// watch is open and writes flow (writes resume, the watch misses and repeats nothing); the
// killed member rejoining; losing quorum (StoreUnavailableError in bounded time, then recovery);
// and the CLI reading through a cluster with one member down. Cases share one cluster and run
// in order, each leaving every member running for the next.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waggle } from '../cli/cli-harness.js';
import { startEtcdCluster, type TestEtcdCluster } from '../testing/etcd-cluster.js';
import { runWriterThroughKill } from '../testing/failover-writer.js';
import { quiet, service, take } from './contract/harness.js';
import { StoreUnavailableError } from './errors.js';
import { EtcdStore } from './etcd.js';
import { openStore } from './index.js';
import type { ChangeEvent, Store } from './types.js';

let cluster: TestEtcdCluster;
let store: Store;

before(async () => {
  cluster = await startEtcdCluster();
  store = openStore(cluster.url);
});
after(async () => {
  await store?.close();
  await cluster?.stop();
});

/** Polls until a member other than `old` is leader; bounded. */
async function waitNewLeader(old: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await cluster.leader().catch(() => old);
    if (now !== old) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no new leader ${timeoutMs} ms after killing m${old}`);
}

test('CRUD, compare-and-swap and list-then-watch through all three endpoints', async () => {
  const created = await store.create(service('crud', {}, undefined, 'crud'));
  const got = await store.get('Service', 'crud', 'crud');
  assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
  const updated = await store.update({ ...got, metadata: { ...got.metadata, labels: { v: '2' } } });
  // A write naming the version we replaced loses the compare-and-swap.
  await assert.rejects(store.update({ ...got, metadata: { ...got.metadata, labels: { v: 'stale' } } }), {
    code: 'Conflict',
  });
  assert.equal((await store.get('Service', 'crud', 'crud')).metadata.labels?.v, '2');

  const listed = await store.list({ kind: 'Service', namespace: 'crud' });
  assert.deepEqual(
    listed.items.map((o) => o.metadata.resourceVersion),
    [updated.metadata.resourceVersion],
  );
  const watch = store.watch({ kind: 'Service', namespace: 'crud', sinceRevision: listed.revision });
  await store.create(service('second', {}, undefined, 'crud'));
  await store.delete('Service', 'crud', 'crud');
  const events = await take<ChangeEvent>(watch, 2);
  watch.close();
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.object.metadata.name}`),
    ['ADDED second', 'DELETED crud'],
  );
  await assert.rejects(store.get('Service', 'crud', 'crud'), { code: 'NotFound' });
});

test('SIGKILL of the leader: writes resume, the watch delivers every committed write once', async () => {
  const before = await store.list({ kind: 'Service', namespace: 'failover' });
  const watch = store.watch({ kind: 'Service', namespace: 'failover', sinceRevision: before.revision });
  const leader = await cluster.leader();
  let electedMs = -1;
  const run = await runWriterThroughKill(store, 'failover', async () => {
    const killedAt = Date.now();
    await cluster.kill(leader);
    electedMs = await waitNewLeader(leader, 10_000).then(() => Date.now() - killedAt);
  });

  // What etcd itself says was committed is the reference: every acknowledged create is in it
  // with the revision we were told, and a create that failed may or may not be (its commit is
  // ambiguous), but never twice.
  const committed = (await store.list({ kind: 'Service', namespace: 'failover' })).items;
  const committedRev = new Map(committed.map((o) => [o.metadata.name, o.metadata.resourceVersion]));
  for (const [name, rev] of run.acknowledged) assert.equal(committedRev.get(name), rev, `write ${name}`);

  const events = await take<ChangeEvent>(watch, committed.length, 20_000);
  const extra = await quiet(watch, 1000); // a duplicate would arrive here
  watch.close();
  assert.equal(extra, undefined, 'no event beyond the committed writes');
  const expected = committed
    .map((o) => `ADDED ${o.metadata.name}@${o.metadata.resourceVersion}`)
    .sort((a, b) => Number(a.split('@')[1]) - Number(b.split('@')[1]));
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.object.metadata.name}@${e.revision}`),
    expected,
  );

  const failedClasses = [...new Set(run.failures.map((f) => f.error))];
  console.log(
    `failover: leader m${leader} killed; new leader after ${electedMs} ms; ` +
      `first write issued after the kill ok after ${run.recoveryMs} ms; ` +
      `${run.failures.length} writes failed (${failedClasses.join(', ') || 'none'}); ` +
      `${run.acknowledged.size} acknowledged, ${committed.length} committed, ` +
      `${events.length} watch events in revision order`,
  );
  assert.ok(run.recoveryMs < 10_000, `writes resumed ${run.recoveryMs} ms after the kill`);
  assert.deepEqual(
    failedClasses.filter((c) => c !== 'StoreUnavailableError'),
    [],
    'writes fail only as StoreUnavailableError',
  );

  // The killed member restarts on its data and rejoins: asked alone, it serves what was
  // committed while it was down.
  await cluster.start(leader);
  const alone = openStore(`etcd://${cluster.members[leader]?.endpoint}`);
  try {
    const seen = await alone.list({ kind: 'Service', namespace: 'failover' });
    assert.equal(seen.items.length, committed.length);
  } finally {
    await alone.close();
  }
});

test('with 2 of 3 members down the store fails as unavailable within its deadline, then recovers', async () => {
  await store.create(service('quorum', {}, undefined, 'quorum'));
  await cluster.kill(0);
  await cluster.kill(1);
  const timed = async (s: Store): Promise<number> => {
    const started = Date.now();
    await assert.rejects(s.get('Service', 'quorum', 'quorum'), StoreUnavailableError);
    return Date.now() - started;
  };
  // The default 5 s deadline bounds one whole operation, etcd3's retries on other hosts included.
  const failMs = await timed(store);
  await assert.rejects(store.create(service('lost', {}, undefined, 'quorum')), StoreUnavailableError);
  // Asked only of the survivor (no leader, so it never answers), every etcd3 attempt lands on
  // it: with a deadline per attempt this took 3 x 1 s (the circuit breaker refused the fourth).
  const survivor = new EtcdStore({ endpoints: [cluster.members[2]?.endpoint ?? ''], timeoutMs: 1000 });
  const survivorMs = await timed(survivor);
  console.log(
    `no quorum: StoreUnavailableError after ${failMs} ms (3 endpoints, 5 s deadline), ` +
      `${survivorMs} ms (survivor only, 1 s deadline)`,
  );
  assert.ok(failMs < 6500, `get failed after ${failMs} ms`);
  assert.ok(survivorMs < 1900, `get from the survivor failed after ${survivorMs} ms`);
  // Those failures opened etcd3's circuit breaker on its only host: the next call is refused
  // inside etcd3, and must still read as unavailable.
  await assert.rejects(survivor.get('Service', 'quorum', 'quorum'), StoreUnavailableError);
  await survivor.close();

  await cluster.start(1);
  const restartedAt = Date.now();
  let got: unknown;
  while (!got && Date.now() < restartedAt + 15_000) {
    got = await store.get('Service', 'quorum', 'quorum').catch((err: unknown) => {
      if (!(err instanceof StoreUnavailableError)) throw err;
    });
  }
  console.log(`quorum back: the store answered ${Date.now() - restartedAt} ms after the member was healthy`);
  assert.ok(got, 'the store works again once a quorum is back');

  // The CLI, given all three endpoints, reads through the two that are up.
  const cli = waggle(['get', 'svc', '-n', 'quorum', '--store', cluster.url]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^quorum\s/m);
  await cluster.start(0);
});

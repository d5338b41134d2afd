// The agent's Ready heartbeat on the memory store with an injected clock: heartbeat time moves
// every tick, transition time only when the status changes; a lost compare-and-swap re-reads;
// an outage is logged once; stop() never waits on a hanging store call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from '../api/index.js';
import { MemoryStore, StoreUnavailableError } from '../store/index.js';
import type { Store } from '../store/types.js';
import { storeWith } from '../testing/store.js';
import {
  AGENT_READY_MESSAGE,
  AGENT_READY_REASON,
  MAX_CONFLICT_RETRIES,
  NodeHeartbeat,
} from './node-heartbeat.js';
import { registerNode } from './node-registration.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

async function setup(wrap: (s: MemoryStore) => Store = (s) => s) {
  const memory = new MemoryStore();
  await registerNode(memory, 'node-a', {}, ['10.0.0.1']);
  let now = T0;
  const logs: string[] = [];
  const hb = new NodeHeartbeat({
    store: wrap(memory),
    nodeName: 'node-a',
    intervalMs: 10_000,
    now: () => now,
    log: (l) => logs.push(l),
  });
  const ready = async () =>
    (await memory.get('Node', 'node-a')).status?.conditions?.find((c) => c.type === 'Ready');
  return { memory, hb, logs, ready, setNow: (ms: number) => (now = ms) };
}

describe('NodeHeartbeat', () => {
  it('posts Ready=True; later ticks move lastHeartbeatTime and keep lastTransitionTime', async () => {
    const { memory, hb, ready, setNow } = await setup();
    assert.equal(await hb.tick(), 'posted');
    const first = {
      type: 'Ready',
      status: 'True',
      reason: AGENT_READY_REASON,
      message: AGENT_READY_MESSAGE,
      lastHeartbeatTime: iso(T0),
      lastTransitionTime: iso(T0),
    };
    assert.deepEqual(await ready(), first);
    setNow(T0 + 10_000);
    assert.equal(await hb.tick(), 'posted');
    assert.deepEqual(await ready(), { ...first, lastHeartbeatTime: iso(T0 + 10_000) });
    const n = await memory.get('Node', 'node-a');
    assert.deepEqual(
      n.status?.addresses?.map((a) => a.address),
      ['node-a', '10.0.0.1'],
      'addresses kept',
    );
  });

  it('over an Unknown set by the controller: True again with a new transition time', async () => {
    const { memory, hb, ready, setNow } = await setup();
    await hb.tick();
    const n = await memory.get('Node', 'node-a');
    const unknown = { ...(await ready())!, status: 'Unknown' as const, reason: 'NodeStatusUnknown' };
    const other = { type: 'NetworkUnavailable', status: 'False' as const, reason: 'RouteCreated' };
    await memory.updateStatus({ ...n, status: { ...n.status, conditions: [other, unknown] } });
    setNow(T0 + 60_000);
    assert.equal(await hb.tick(), 'posted');
    const after = (await memory.get('Node', 'node-a')).status?.conditions;
    assert.deepEqual(after?.[0], other, 'other conditions untouched, in place');
    assert.equal(after?.[1]?.status, 'True');
    assert.equal(after?.[1]?.reason, AGENT_READY_REASON);
    assert.equal(after?.[1]?.lastTransitionTime, iso(T0 + 60_000));
  });

  it('a lost compare-and-swap re-reads and keeps what the other writer wrote', async () => {
    let interfere = 2;
    const { memory, hb, ready } = await setup((m) =>
      storeWith(m, {
        // Between our read and our write, someone else changes the Node: a real conflict.
        get: async (kind, name) => {
          const got = await m.get(kind, name);
          if (interfere-- > 0) {
            const n = (await m.get('Node', 'node-a')) as Node;
            await m.update({
              ...n,
              metadata: { ...n.metadata, labels: { ...n.metadata.labels, edit: String(interfere) } },
            });
          }
          return got;
        },
      }),
    );
    assert.equal(await hb.tick(), 'posted');
    assert.equal((await ready())?.status, 'True');
    assert.equal((await memory.get('Node', 'node-a')).metadata.labels?.edit, '0', 'the other write survives');
  });

  it('gives up after MAX_CONFLICT_RETRIES conflicts in one tick and says so once', async () => {
    const { hb, logs } = await setup((m) =>
      storeWith(m, {
        get: async (kind, name) => {
          const got = await m.get(kind, name);
          const n = (await m.get('Node', 'node-a')) as Node;
          await m.update({ ...n, metadata: { ...n.metadata, labels: { bump: String(Math.random()) } } });
          return got;
        },
      }),
    );
    assert.equal(await hb.tick(), 'conflict');
    assert.equal(await hb.tick(), 'conflict');
    assert.deepEqual(logs, [
      `node node-a: ${MAX_CONFLICT_RETRIES} conflicts in a row; retrying next interval`,
    ]);
  });

  it('a store outage is logged once, retried every tick, and its end is logged', async () => {
    let down = true;
    const { hb, logs, ready } = await setup((m) =>
      storeWith(m, {
        get: async (kind, name) => {
          if (down) throw new StoreUnavailableError('etcd 127.0.0.1:1: connection refused');
          return m.get(kind, name);
        },
      }),
    );
    for (let i = 0; i < 3; i++) assert.equal(await hb.tick(), 'failed');
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /^node node-a: posting ready status failed .*connection refused$/);
    down = false;
    assert.equal(await hb.tick(), 'posted');
    assert.equal((await ready())?.status, 'True');
    assert.deepEqual(logs.slice(1), ['node node-a: posting ready status again']);
  });

  it('stop() returns at once while a store call hangs; overlapping ticks are skipped', async () => {
    let calls = 0;
    const { hb, logs } = await setup((m) =>
      storeWith(m, {
        get: () => {
          calls++;
          return new Promise<never>(() => {}); // never settles
        },
      }),
    );
    hb.start();
    assert.equal(await hb.tick(), 'skipped', 'the first tick is still waiting');
    const t = performance.now();
    hb.stop();
    assert.ok(performance.now() - t < 50);
    assert.equal(await hb.tick(), 'skipped', 'no tick after stop');
    assert.equal(calls, 1);
    assert.deepEqual(logs, []);
  });
});

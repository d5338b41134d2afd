// The node lifecycle controller on the memory store with an injected clock: it marks only stale
// nodes, writes once, and loses to an agent heartbeat that lands between its list and its write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeHeartbeat } from '../agent/node-heartbeat.js';
import { registerNode } from '../agent/node-registration.js';
import { MemoryStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { storeWith } from '../testing/store.js';
import { NodeLifecycleController } from './controller.js';
import { NODE_STATUS_UNKNOWN } from './decide.js';

const GRACE = 1500;

async function setup(wrap: (m: MemoryStore, agent: () => Promise<unknown>) => Store = (m) => m) {
  const memory = new MemoryStore();
  let now = Date.now();
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const logs: string[] = [];
  await registerNode(memory, 'node-a', {}, []);
  await registerNode(memory, 'node-b', {}, []);
  const agentA = new NodeHeartbeat({
    store: memory,
    nodeName: 'node-a',
    intervalMs: 200,
    now: clock.now,
    log: () => {},
  });
  const agentB = new NodeHeartbeat({
    store: memory,
    nodeName: 'node-b',
    intervalMs: 200,
    now: clock.now,
    log: () => {},
  });
  const controller = new NodeLifecycleController({
    store: wrap(memory, () => agentA.tick()),
    monitorPeriodMs: 250,
    gracePeriodMs: GRACE,
    now: clock.now,
    log: (l) => logs.push(l),
  });
  const ready = async (n: string) =>
    (await memory.get('Node', n)).status?.conditions?.find((c) => c.type === 'Ready');
  return { memory, clock, logs, agentA, agentB, controller, ready };
}

describe('NodeLifecycleController.monitorOnce', () => {
  it('marks the silent node Unknown, leaves the posting one, and does not write twice', async () => {
    const { clock, logs, agentA, agentB, controller, ready, memory } = await setup();
    await agentA.tick();
    await agentB.tick();
    clock.advance(1000);
    await agentA.tick(); // node-b goes silent
    clock.advance(GRACE - 1000 + 1);
    await controller.monitorOnce();
    assert.equal((await ready('node-a'))?.status, 'True');
    const b = await ready('node-b');
    assert.equal(b?.status, 'Unknown');
    assert.equal(b?.reason, NODE_STATUS_UNKNOWN);
    assert.equal(controller.marked, 1);
    assert.equal(logs.length, 1);
    assert.match(
      logs[0]!,
      /^node lifecycle: node node-b Ready → Unknown \(NodeStatusUnknown; last heartbeat 1\.5s ago\)$/,
    );
    const rv = (await memory.get('Node', 'node-b')).metadata.resourceVersion;
    clock.advance(5000);
    await agentA.tick(); // node-a keeps posting
    await controller.monitorOnce();
    assert.equal((await memory.get('Node', 'node-b')).metadata.resourceVersion, rv, 'no second write');
    assert.equal(controller.marked, 1);
  });

  it('a heartbeat landing between its list and its write wins: re-read, fresh, nothing marked', async () => {
    let interpose = false;
    const { clock, agentA, agentB, controller, ready } = await setup((m, agent) =>
      storeWith(m, {
        list: async (opts) => {
          const listed = await m.list(opts);
          if (interpose) await agent(); // the agent writes after our read: our copy is outdated
          return listed;
        },
      }),
    );
    await agentA.tick();
    await agentB.tick();
    clock.advance(GRACE + 1000);
    interpose = true;
    await controller.monitorOnce();
    assert.equal((await ready('node-a'))?.status, 'True', 'the fresh heartbeat was not overwritten');
    assert.equal((await ready('node-b'))?.status, 'Unknown', 'the silent node is still marked');
    assert.equal(controller.marked, 1);
  });
});

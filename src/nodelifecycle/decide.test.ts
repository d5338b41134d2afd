// decideNodeHealth on exact times: fresh, the grace boundary (stale only strictly after it),
// never posted, already Unknown, recovered, and the default flags' worst case (40 s + 5 s).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, NodeCondition } from '../api/index.js';
import {
  DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
  DEFAULT_NODE_MONITOR_PERIOD_MS,
  decideNodeHealth,
  NODE_STATUS_NEVER_UPDATED,
  NODE_STATUS_UNKNOWN,
  NODE_STATUS_UNKNOWN_MESSAGE,
} from './decide.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const GRACE = 1500;

function node(conditions?: NodeCondition[], createdMs = T0 - 60_000): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', creationTimestamp: iso(createdMs), resourceVersion: '7' },
    spec: {},
    status: { addresses: [{ type: 'Hostname', address: 'node-a' }], ...(conditions ? { conditions } : {}) },
  };
}

const memoryPressure: NodeCondition = { type: 'MemoryPressure', status: 'False', reason: 'Fine' };
const ready = (heartbeatMs: number, status: NodeCondition['status'] = 'True'): NodeCondition => ({
  type: 'Ready',
  status,
  reason: 'AgentReady',
  message: 'waggle agent is posting ready status',
  lastHeartbeatTime: iso(heartbeatMs),
  lastTransitionTime: iso(T0 - 30_000),
});

describe('decideNodeHealth', () => {
  it('a heartbeat younger than the grace period is fresh', () => {
    const d = decideNodeHealth(node([ready(T0)]), T0 + 200, GRACE);
    assert.deepEqual(d, { action: 'keep', why: 'fresh', heartbeatAgeMs: 200 });
  });

  it('exactly at heartbeat + grace is still fresh; one millisecond later it is stale', () => {
    assert.equal(decideNodeHealth(node([ready(T0)]), T0 + GRACE, GRACE).action, 'keep');
    const d = decideNodeHealth(node([memoryPressure, ready(T0)]), T0 + GRACE + 1, GRACE);
    assert.equal(d.action, 'mark-unknown');
    if (d.action !== 'mark-unknown') return;
    assert.deepEqual(d.conditions, [
      memoryPressure,
      {
        type: 'Ready',
        status: 'Unknown',
        reason: NODE_STATUS_UNKNOWN,
        message: NODE_STATUS_UNKNOWN_MESSAGE,
        lastHeartbeatTime: iso(T0),
        lastTransitionTime: iso(T0 + GRACE + 1),
      },
    ]);
  });

  it('a stale Ready=False becomes Unknown too; an Unknown one is not written again', () => {
    assert.equal(decideNodeHealth(node([ready(T0, 'False')]), T0 + 5000, GRACE).action, 'mark-unknown');
    const d = decideNodeHealth(node([ready(T0, 'Unknown')]), T0 + 5000, GRACE);
    assert.deepEqual(d, { action: 'keep', why: 'already-unknown', heartbeatAgeMs: 5000 });
  });

  it('never posted: measured from creation, marked NodeStatusNeverUpdated with heartbeat = creation', () => {
    const created = T0;
    assert.equal(decideNodeHealth(node(undefined, created), created + GRACE, GRACE).action, 'keep');
    const d = decideNodeHealth(node([memoryPressure], created), created + GRACE + 1, GRACE);
    assert.equal(d.action, 'mark-unknown');
    if (d.action !== 'mark-unknown') return;
    const r = d.conditions.find((c) => c.type === 'Ready');
    assert.equal(d.conditions.length, 2);
    assert.deepEqual(r, {
      type: 'Ready',
      status: 'Unknown',
      reason: NODE_STATUS_NEVER_UPDATED,
      message: 'waggle agent never posted node status.',
      lastHeartbeatTime: iso(created),
      lastTransitionTime: iso(created + GRACE + 1),
    });
  });

  it('recovered: after the agent posts again over an Unknown condition, the node is fresh', () => {
    const d = decideNodeHealth(node([ready(T0 + 10_000, 'True')]), T0 + 10_100, GRACE);
    assert.equal(d.action, 'keep');
  });

  it('default flags: a node that stops posting is marked after 40 s and within 40 s + 5 s', () => {
    // The monitor ticks every 5 s at some phase relative to the last heartbeat; try 21 phases.
    const grace = DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS;
    const period = DEFAULT_NODE_MONITOR_PERIOD_MS;
    assert.deepEqual([grace, period], [40_000, 5_000]);
    const n = node([ready(T0)]);
    for (let phase = 0; phase <= period; phase += period / 20) {
      let markedAt: number | undefined;
      for (let t = T0 + phase; t <= T0 + 120_000 && markedAt === undefined; t += period)
        if (decideNodeHealth(n, t, grace).action === 'mark-unknown') markedAt = t;
      assert.ok(markedAt !== undefined, `phase ${phase}: never marked`);
      assert.ok(
        markedAt > T0 + grace,
        `phase ${phase}: marked at ${markedAt - T0} ms, before the grace period`,
      );
      assert.ok(markedAt <= T0 + grace + period, `phase ${phase}: marked only at ${markedAt - T0} ms`);
    }
  });
});

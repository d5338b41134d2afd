// GET /v1/monitor end to end over a real unix socket: the agent's API server with the stream
// handler on one side, the CLI's client on the other.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serveApi } from '../agent/api-server.js';
import { connectMonitor } from './client.js';
import { decodeRecord, type DatapathEvent } from './decode.js';
import { dropRecord, referenceSyn, referenceTrace, traceRecord } from './frames.test-helper.js';
import { EventHub } from './hub.js';
import { MONITOR_PATH, monitorStream } from './stream.js';
import type { ParsedLine } from './wire.js';

const ev = (rec: Buffer): DatapathEvent => {
  const r = decodeRecord(rec);
  assert.ok(r.ok && r.event.kind !== 'unknown');
  return r.event;
};
const drop = ev(
  dropRecord(
    { subtype: 133, source: 4, hash: 1, srcLabel: 0, dstLabel: 0, dstId: 0, line: 1, file: 2, ifindex: 17 },
    referenceSyn,
  ),
);
const trace = ev(traceRecord(referenceTrace, referenceSyn));

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('monitor stream', () => {
  let dir: string;
  let socket: string;
  let server: { close(): void };
  const active: boolean[] = [];
  const hub = new EventHub({ onActiveChange: (on) => active.push(on) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'waggle-monitor-'));
    socket = join(dir, 'agent.sock');
    const handler = monitorStream({
      hub,
      ringBytes: () => 1 << 20,
      ifname: (i) => (i === 42 ? 'lxc0' : undefined),
      cpus: 3,
    });
    server = await serveApi(socket, { exact: {}, prefix: {}, streams: { [MONITOR_PATH]: handler } });
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('hello first, then the filtered events with payload and ifname; leaving unsubscribes', async () => {
    const lines: ParsedLine[] = [];
    const conn = connectMonitor(socket, { types: ['trace'] }, (l) => lines.push(l));
    await until(() => hub.listeners === 1, 'the subscription');
    hub.publish([drop, trace]);
    await until(() => lines.length >= 2, 'two lines');
    assert.deepEqual(lines[0], { kind: 'hello', hello: { listening: true, cpus: 3, ringBytes: 1 << 20 } });
    assert.deepEqual(lines[1], { kind: 'event', event: trace, ifname: 'lxc0' });
    conn.stop();
    assert.equal(await conn.done, 'stopped');
    await until(() => hub.listeners === 0, 'the listener to leave');
    assert.deepEqual(active, [true, false]);
    assert.equal(lines.length, 2, 'the drop was filtered out in the agent');
  });

  test('the agent stopping ends the stream', async () => {
    const conn = connectMonitor(socket, { types: [] }, () => {});
    await until(() => hub.listeners === 1, 'the subscription');
    hub.closeAll();
    assert.equal(await conn.done, 'ended');
  });

  test('a bad filter is an HTTP 400 naming the option; no agent is a clear error', async () => {
    const bad = connectMonitor(socket, { types: ['bogus' as 'drop'] }, () => {});
    await assert.rejects(bad.done, /HTTP 400: \{"error":"type \\"bogus\\": not one of drop, trace"\}/);
    const none = connectMonitor(join(dir, 'nobody.sock'), { types: [] }, () => {});
    await assert.rejects(none.done, /no agent listening/);
  });
});

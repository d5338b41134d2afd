import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord, type DatapathEvent } from './decode.js';
import { dropRecord, referenceSyn, referenceTrace, traceRecord } from './frames.test-helper.js';
import { EventHub } from './hub.js';
import { EventsModule, type RecordSource } from './module.js';

const traceRec = (source: number) => traceRecord({ ...referenceTrace, source }, referenceSyn);
const dropRec = (source: number) =>
  dropRecord(
    { subtype: 133, source, hash: 1, srcLabel: 0, dstLabel: 0, dstId: 0, line: 1, file: 2, ifindex: 1 },
    referenceSyn,
  );
const ev = (rec: Buffer): DatapathEvent => {
  const r = decodeRecord(rec);
  assert.ok(r.ok && r.event.kind !== 'unknown');
  return r.event;
};
const sources = (evs: DatapathEvent[]) => evs.map((e) => e.source);

describe('event hub', () => {
  test('fans out to every listener through its own filter, in order', () => {
    const hub = new EventHub();
    const all = hub.subscribe();
    const drops = hub.subscribe({ filter: { types: ['drop'] } });
    hub.publish([ev(traceRec(1)), ev(dropRec(2)), ev(traceRec(3))]);
    assert.deepEqual(sources(all.take()), [1, 2, 3]);
    assert.deepEqual(sources(drops.take()), [2]);
    assert.deepEqual(all.take(), []);
  });

  test('a slow listener loses what exceeds its queue, counted; the others lose nothing', () => {
    const hub = new EventHub({ capacity: 3 });
    const slow = hub.subscribe();
    const fast = hub.subscribe();
    let readyCalls = 0;
    const onlyDrops = hub.subscribe({ filter: { types: ['drop'] }, onReady: () => readyCalls++ });
    for (let i = 1; i <= 5; i++) {
      hub.publish([ev(traceRec(i))]);
      assert.deepEqual(sources(fast.take()), [i]);
    }
    assert.deepEqual(sources(slow.take(2)), [1, 2]);
    assert.equal(slow.queued, 1);
    assert.equal(slow.lost, 2);
    assert.equal(fast.lost, 0);
    assert.equal(onlyDrops.lost, 0, 'filtered-out events are not losses');
    assert.equal(readyCalls, 0);
    assert.equal(hub.lostInAgent, 2);
    slow.close();
    assert.equal(hub.lostInAgent, 2, 'losses outlive the listener');
  });

  test('active while at least one listener exists; closeAll tells each listener', () => {
    const changes: boolean[] = [];
    const hub = new EventHub({ onActiveChange: (on) => changes.push(on) });
    const a = hub.subscribe();
    let closedB = 0;
    hub.subscribe({ onClosed: () => closedB++ });
    assert.deepEqual(changes, [true]);
    a.close();
    a.close();
    assert.deepEqual(changes, [true]);
    hub.closeAll();
    assert.deepEqual(changes, [true, false]);
    assert.equal(closedB, 1);
    assert.equal(hub.listeners, 0);
  });

  test("one listener's throwing callback does not cost the others their events", () => {
    const logs: string[] = [];
    const hub = new EventHub({ log: (m) => logs.push(m) });
    hub.subscribe({
      onReady: () => {
        throw new Error('boom');
      },
    });
    const ok = hub.subscribe();
    hub.publish([ev(traceRec(1))]);
    assert.deepEqual(sources(ok.take()), [1]);
    assert.deepEqual(logs, ['events: listener 1 onReady: boom']);
  });
});

class FakeSource implements RecordSource {
  batches: Buffer[][] = [];
  closed = false;
  consume(): Buffer[] {
    return this.batches.shift() ?? [];
  }
  close(): void {
    this.closed = true;
  }
}

function fakeModule(source: FakeSource, lost = 0n) {
  const trace: boolean[] = [];
  const mod = new EventsModule({
    ringbufFd: () => 99,
    kernelLost: () => lost,
    setTraceEvents: (on) => trace.push(on),
    openSource: (fd) => {
      assert.equal(fd, 99);
      return source;
    },
    ringBytes: () => 1 << 20,
    pollMs: 10_000,
  });
  return { mod, trace };
}

describe('events module', () => {
  test('decodes what it reads, counts bad records, reports every loss', () => {
    const source = new FakeSource();
    const { mod, trace } = fakeModule(source, 7n);
    mod.start();
    assert.deepEqual(trace, [false], 'traces off at start: nobody listens yet');
    const sub = mod.hub.subscribe();
    assert.deepEqual(trace, [false, true]);
    source.batches = [[traceRec(1), Buffer.alloc(5), dropRec(2)], [Buffer.alloc(16)]];
    mod.poll();
    assert.deepEqual(sources(sub.take()), [1, 2]);
    assert.deepEqual(mod.status(), {
      listeners: 1,
      received: 4,
      decodeErrors: 2,
      lostInKernel: 7,
      lostInAgent: 0,
    });
    assert.equal(mod.ringBytes, 1 << 20);
    mod.stop();
    assert.equal(source.closed, true);
    assert.deepEqual(trace, [false, true, false], 'traces off when the module stops');
    assert.equal(mod.status().listeners, 0);
  });

  test('polls on its own timer and stops promptly', async () => {
    const source = new FakeSource();
    const mod = new EventsModule({
      ringbufFd: () => 1,
      kernelLost: () => {
        throw new Error('map gone');
      },
      setTraceEvents: () => {},
      openSource: () => source,
      ringBytes: () => 4096,
      pollMs: 5,
    });
    mod.start();
    const sub = mod.hub.subscribe();
    source.batches = [[traceRec(5)]];
    const deadline = Date.now() + 2000;
    while (sub.queued === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(sources(sub.take()), [5]);
    assert.equal(mod.status().lostInKernel, null, 'an unreadable counter is unknown, not zero');
    mod.stop();
    source.batches = [[traceRec(6)]];
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(source.batches.length, 1, 'no poll after stop');
  });
});

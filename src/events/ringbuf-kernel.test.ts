// The reader against a real kernel ring buffer: bpf/tests/ringbuf_emit.c writes one trace and one
// drop record per BPF_PROG_TEST_RUN; src/bpf/ringbuf.ts reads them back and decode.ts must see
// exactly the fields the C code set. The same object's BTF checks layout.ts's offsets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BpfError, BpfObject, RingBufReader, TcAct } from '../bpf/index.js';
import { decodeRecord } from './decode.js';
import { referenceSyn } from './frames.test-helper.js';
import { COMMON, DROP, TRACE, TRACE_PAYLOAD_LEN } from './layout.js';

const OBJ = 'build/bpf/tests/ringbuf_emit.o';

describe('ring buffer reader (kernel)', () => {
  let obj: BpfObject;
  before(() => {
    obj = BpfObject.open(OBJ);
    obj.load();
  });
  after(() => obj.close());

  const emit = () => assert.equal(obj.program('emit_prog').testRun({ data: referenceSyn }).retval, TcAct.OK);

  test('reads back both records the program wrote, with every field it set', () => {
    const reader = RingBufReader.open(obj.map('test_events').fd, 'test_events');
    try {
      assert.deepEqual(reader.consume(), [], 'empty before the program runs');
      emit();
      const records = reader.consume();
      assert.deepEqual(
        records.map((r) => r.length),
        [TRACE.size + TRACE_PAYLOAD_LEN, DROP.size + TRACE_PAYLOAD_LEN],
      );
      const [t, d] = records.map(decodeRecord);
      assert.ok(t?.ok && t.event.kind === 'trace');
      assert.ok(d?.ok && d.event.kind === 'drop');
      assert.deepEqual(
        { ...t.event, payload: t.event.payload.toString('hex') },
        {
          kind: 'trace',
          type: 4,
          subtype: 0,
          source: 1447,
          hash: 0xdf31e3c3,
          lenOrig: referenceSyn.length,
          lenCap: referenceSyn.length,
          version: 2,
          extVersion: 0,
          payload: referenceSyn.toString('hex'),
          observationPoint: 0,
          srcLabel: 6848,
          dstLabel: 7392,
          dstId: 1447,
          reason: 0,
          flags: 0,
          ifindex: 42,
          origIp: '10.244.1.211',
          ipTraceId: String(0x1122334455667788n),
        },
      );
      assert.deepEqual(
        { ...d.event, payload: d.event.payload.toString('hex') },
        {
          kind: 'drop',
          type: 1,
          subtype: 132,
          source: 1447,
          hash: 0x6e2f1a0c,
          lenOrig: referenceSyn.length,
          lenCap: referenceSyn.length,
          version: 3,
          extVersion: 0,
          payload: referenceSyn.toString('hex'),
          reason: 132,
          srcLabel: 11370,
          dstLabel: 19520,
          dstId: 0,
          line: 1537,
          file: 2,
          extError: -3,
          ifindex: 17,
          flags: 0,
          ipTraceId: '0',
        },
      );
      assert.deepEqual(reader.consume(), [], 'consumed records are gone');
    } finally {
      reader.close();
    }
  });

  test('consume(max) stops early and leaves the rest for the next call', () => {
    const reader = RingBufReader.open(obj.map('test_events').fd, 'test_events');
    try {
      emit();
      emit();
      const sizes = [reader.consume(3), reader.consume(3)].map((b) => b.length);
      assert.deepEqual(sizes, [3, 1]);
      assert.ok(reader.epollFd >= 0);
    } finally {
      reader.close();
      reader.close();
    }
    assert.throws(
      () => reader.consume(),
      (e: unknown) => e instanceof BpfError && /test_events: reader is closed/.test(e.message),
    );
  });

  test('a map that is not a ring buffer is a typed error naming it', () => {
    const other = BpfObject.open('build/bpf/tests/binding_test.o');
    try {
      other.load();
      assert.throws(
        () => RingBufReader.open(other.map('test_counts').fd, 'test_counts'),
        (e: unknown) =>
          e instanceof BpfError &&
          e.code === 'EINVAL' &&
          /test_counts: map type is 1, not BPF_MAP_TYPE_RINGBUF/.test(e.message),
      );
    } finally {
      other.close();
    }
  });

  test("layout.ts's offsets and sizes are those of notify.h in the compiled object's BTF", () => {
    const offsets = (name: string) => {
      const l = obj.structLayout(name);
      assert.ok(l, `struct ${name} in the BTF of ${OBJ}`);
      return {
        size: l.size,
        ...Object.fromEntries(l.members.map((m) => [m.name || 'orig_ip', m.bitOffset / 8])),
      };
    };
    assert.deepEqual(offsets('notify_common'), { ...COMMON });
    assert.deepEqual(offsets('trace_notify'), { ...TRACE });
    assert.deepEqual(offsets('drop_notify'), { ...DROP });
    assert.deepEqual(offsets('trace_record'), {
      size: TRACE.size + TRACE_PAYLOAD_LEN,
      n: 0,
      payload: TRACE.size,
    });
    assert.deepEqual(offsets('drop_record'), {
      size: DROP.size + TRACE_PAYLOAD_LEN,
      n: 0,
      payload: DROP.size,
    });
  });
});

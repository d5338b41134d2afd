import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord, ipv6 } from './decode.js';
import { dropRecord, referenceSyn, referenceTrace, traceRecord } from './frames.test-helper.js';
import { COMMON, DROP, TRACE, TRACE_PAYLOAD_LEN } from './layout.js';

describe('decodeRecord', () => {
  test('a trace record: every field of trace_notify and the captured payload', () => {
    const rec = traceRecord({ ...referenceTrace, lenOrig: 74, ipTraceId: 0x1122334455667788n }, referenceSyn);
    const r = decodeRecord(rec);
    assert.ok(r.ok);
    assert.deepEqual(r.event, {
      kind: 'trace',
      type: 4,
      subtype: 0,
      source: 1447,
      hash: 0xdf31e3c3,
      lenOrig: 74,
      lenCap: referenceSyn.length,
      version: 2,
      extVersion: 0,
      payload: referenceSyn,
      observationPoint: 0,
      srcLabel: 6848,
      dstLabel: 7392,
      dstId: 1447,
      reason: 0,
      flags: 0,
      ifindex: 42,
      origIp: '10.244.1.211',
      ipTraceId: '1234605616436508552',
    });
  });

  test('a drop record: every field of drop_notify, ext_error signed', () => {
    const rec = dropRecord(
      {
        subtype: 132,
        source: 9,
        hash: 0x6e2f1a0c,
        srcLabel: 11370,
        dstLabel: 19520,
        dstId: 77,
        line: 1537,
        file: 2,
        extError: -3,
        ifindex: 17,
        flags: 1,
      },
      referenceSyn,
    );
    const r = decodeRecord(rec);
    assert.ok(r.ok && r.event.kind === 'drop');
    const { payload, ...rest } = r.event;
    assert.deepEqual(payload, referenceSyn);
    assert.deepEqual(rest, {
      kind: 'drop',
      type: 1,
      subtype: 132,
      source: 9,
      hash: 0x6e2f1a0c,
      lenOrig: referenceSyn.length,
      lenCap: referenceSyn.length,
      version: 3,
      extVersion: 0,
      reason: 132,
      srcLabel: 11370,
      dstLabel: 19520,
      dstId: 77,
      line: 1537,
      file: 2,
      extError: -3,
      ifindex: 17,
      flags: 1,
      ipTraceId: '0',
    });
  });

  test('an IPv6 trace prints its 16-byte orig_ip', () => {
    const rec = traceRecord({ ...referenceTrace, flags: 1, origIp: '' }, referenceSyn);
    Buffer.from('fd000000000000000000000000000001', 'hex').copy(rec, TRACE.orig_ip);
    const r = decodeRecord(rec);
    assert.ok(r.ok && r.event.kind === 'trace');
    assert.equal(r.event.origIp, 'fd00::1');
  });

  test('RFC 5952 text for IPv6: longest zero run compressed, single zero groups kept', () => {
    const at = (hex: string) => ipv6(Buffer.from(hex, 'hex'), 0);
    assert.equal(at('00000000000000000000000000000000'), '::');
    assert.equal(at('20010db8000000010000000000000001'), '2001:db8:0:1::1');
    assert.equal(at('20010db8000100020003000400050006'), '2001:db8:1:2:3:4:5:6');
  });

  test('short, inconsistent and unknown records are values, never throws', () => {
    const full = traceRecord(referenceTrace, referenceSyn);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['empty', Buffer.alloc(0), /0 bytes is shorter than its header/],
      [
        'header only',
        full.subarray(0, COMMON.size),
        /type 4 record of 16 bytes is shorter than its 56-byte body/,
      ],
      [
        'drop body cut',
        dropRecord(
          {
            subtype: 1,
            source: 0,
            hash: 0,
            srcLabel: 0,
            dstLabel: 0,
            dstId: 0,
            line: 0,
            file: 0,
            ifindex: 0,
          },
          Buffer.alloc(0),
        ).subarray(0, DROP.size - 1),
        /shorter than its 48-byte body/,
      ],
      ['len_cap past the end', full.subarray(0, TRACE.size + 10), /len_cap 54 exceeds its 10 payload bytes/],
    ];
    for (const [what, rec, error] of cases) {
      const r = decodeRecord(rec);
      assert.equal(r.ok, false, what);
      if (!r.ok) assert.match(r.error, error, what);
    }
    const debug = Buffer.alloc(COMMON.size + TRACE_PAYLOAD_LEN);
    debug[COMMON.type] = 2;
    const r = decodeRecord(debug);
    assert.ok(r.ok);
    assert.equal(r.event.kind, 'unknown');
    assert.equal(r.event.type, 2);
  });
});

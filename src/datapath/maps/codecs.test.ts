// The map codecs without a kernel: byte layouts as the C structs define them, and bad input
// refused with one line naming the map and the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BpfError } from '../../bpf/errors.js';
import { devicesCodec } from './devices.js';
import { dropReasonName, dropsCodec } from './drops.js';
import { MetricDirection, metricsCodec } from './metrics.js';
import { l2ResponderV4Codec } from './l2-responder.js';
import { RuntimeConfigIndex, runtimeConfigCodec, runtimeConfigName } from './runtime-config.js';

const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BpfError, String(err));
    assert.equal(err.code, 'EINVAL');
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });

describe('waggle_l2_responder_v4 codec', () => {
  test('10.0.10.0 on ifindex 3 is bytes 0a 00 0a 00 | 03 00 00 00, i.e. "ip4": 655370 as bpftool prints it', () => {
    const key = l2ResponderV4Codec.encodeKey({ ip: '10.0.10.0', ifindex: 3 });
    assert.equal(key.toString('hex'), '0a000a0003000000');
    assert.equal(key.readUInt32LE(0), 655370);
    assert.deepEqual(l2ResponderV4Codec.decodeKey(key), { ip: '10.0.10.0', ifindex: 3 });
  });

  test('the value is a little-endian u64 counter', () => {
    const v = l2ResponderV4Codec.encodeValue({ responsesSent: 258n });
    assert.equal(v.toString('hex'), '0201000000000000');
    assert.deepEqual(l2ResponderV4Codec.decodeValue(v), { responsesSent: 258n });
  });

  test('bad keys are refused naming the map and the field', () => {
    rejects(
      () => l2ResponderV4Codec.encodeKey({ ip: '10.0.10.256', ifindex: 1 }),
      /^encode waggle_l2_responder_v4: key\.ip "10\.0\.10\.256": not a dotted-quad IPv4 address$/,
    );
    rejects(() => l2ResponderV4Codec.encodeKey({ ip: '10.0.10', ifindex: 1 }), /key\.ip "10\.0\.10"/);
    rejects(() => l2ResponderV4Codec.encodeKey({ ip: '010.0.10.0', ifindex: 1 }), /key\.ip/);
    rejects(
      () => l2ResponderV4Codec.encodeKey({ ip: '10.0.10.0', ifindex: -1 }),
      /key\.ifindex -1: not a u32/,
    );
    rejects(() => l2ResponderV4Codec.encodeValue({ responsesSent: -1n }), /value\.responsesSent "-1"/);
  });
});

describe('waggle_runtime_config codec', () => {
  test('index names follow Cilium: 0 UTimeOffset, 1 AgentLiveness', () => {
    assert.equal(RuntimeConfigIndex.UTimeOffset, 0);
    assert.equal(RuntimeConfigIndex.AgentLiveness, 1);
    assert.equal(runtimeConfigName(1), 'AgentLiveness');
    assert.equal(runtimeConfigName(7), '7');
  });

  test('u32 key, u64 value, index range checked', () => {
    assert.equal(runtimeConfigCodec.encodeKey(1).toString('hex'), '01000000');
    assert.equal(runtimeConfigCodec.decodeValue(runtimeConfigCodec.encodeValue(2n ** 63n)), 2n ** 63n);
    rejects(
      () => runtimeConfigCodec.encodeKey(256),
      /^encode waggle_runtime_config: key 256: index must be 0\.\.255$/,
    );
  });
});

describe('waggle_devices codec', () => {
  test('a MAC is 6 bytes plus 2 zero pad bytes, then the masquerade IPv4 (0: none)', () => {
    const v = devicesCodec.encodeValue({ mac: '02:AA:00:00:0a:01' });
    assert.equal(v.toString('hex'), '02aa00000a01000000000000');
    assert.deepEqual(devicesCodec.decodeValue(v), { mac: '02:aa:00:00:0a:01' });
    const m = devicesCodec.encodeValue({ mac: '02:aa:00:00:0a:01', ipv4: '10.98.0.21' });
    assert.equal(m.toString('hex'), '02aa00000a0100000a620015');
    assert.deepEqual(devicesCodec.decodeValue(m), { mac: '02:aa:00:00:0a:01', ipv4: '10.98.0.21' });
  });

  test('a bad MAC is refused naming the field', () => {
    rejects(
      () => devicesCodec.encodeValue({ mac: '02:aa:00:00:0a' }),
      /^encode waggle_devices: value\.mac "02:aa:00:00:0a"/,
    );
  });
});

describe('waggle_drops codec', () => {
  test('reasons are named; unknown codes stay visible', () => {
    assert.equal(dropReasonName(141), 'DROP_WRITE_ERROR');
    assert.equal(dropReasonName(9), 'DROP_UNKNOWN_9');
    assert.equal(dropsCodec.decodeKey(dropsCodec.encodeKey(141)), 141);
  });
});

describe('waggle_metrics codec', () => {
  test("Cilium's metrics_key: reason byte, dir in the low 2 bits of byte 1, line LE u16, file", () => {
    const key = metricsCodec.encodeKey({ reason: 141, dir: MetricDirection.INGRESS, line: 0x1234, file: 7 });
    assert.equal(key.toString('hex'), '8d01341207000000');
    assert.deepEqual(metricsCodec.decodeKey(key), { reason: 141, dir: 1, line: 0x1234, file: 7 });
  });

  test('per-CPU values add up; rows print reason, direction and file as cilium-dbg does', () => {
    const merged = metricsCodec.merge?.([
      { count: 2n, bytes: 84n },
      { count: 1n, bytes: 42n },
    ]);
    assert.deepEqual(merged, { count: 3n, bytes: 126n });
    const ctx = { ifname: () => undefined };
    assert.deepEqual(
      metricsCodec.row(
        { reason: 0, dir: MetricDirection.EGRESS, line: 80, file: 0 },
        { count: 3n, bytes: 126n },
        ctx,
      ),
      ['Success', 'EGRESS', '3', '126', '80', 'unknown(0)'],
    );
    assert.deepEqual(
      metricsCodec.row(
        { reason: 141, dir: MetricDirection.INGRESS, line: 7, file: 2 },
        { count: 1n, bytes: 60n },
        ctx,
      ),
      ['Error writing to packet', 'INGRESS', '1', '60', '7', 'bpf_lxc.c'],
    );
  });
});

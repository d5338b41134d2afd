import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalAddr,
  contains,
  formatAddr,
  formatPrefix,
  isPrefixAligned,
  overlaps,
  parseAddr,
  parsePrefix,
  prefixRange,
  rangeSize,
  rangeText,
  readAddrBytes,
  writeAddrBytes,
} from './ip.js';

test('parseAddr is strict and returns family and value', () => {
  assert.deepEqual(parseAddr('10.0.10.1'), { family: 4, value: 0x0a000a01n });
  assert.deepEqual(parseAddr('::ffff:1.2.3.4'), { family: 6, value: 0xffff01020304n });
  assert.deepEqual(parseAddr('2001:db8::1'), { family: 6, value: (0x20010db8n << 96n) | 1n });
  assert.deepEqual(parseAddr('::'), { family: 6, value: 0n });
  for (const bad of [
    '10.0.10.256',
    '010.0.0.1',
    ' 10.0.0.1',
    '10.0.0.1/32',
    '1.2.3',
    'fe80::1%eth0',
    '',
    'x',
  ]) {
    assert.equal(parseAddr(bad), undefined, bad);
  }
  assert.deepEqual(parseAddr('fe80::1%eth0', { allowZone: true }), {
    family: 6,
    value: (0xfe80n << 112n) | 1n,
  });
});

test('formatAddr writes RFC 5952 text and round-trips', () => {
  const cases: Array<[string, string]> = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['0:0:0:0:0:0:0:0', '::'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['192.168.0.1', '192.168.0.1'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalAddr(input), want, input);
  assert.equal(formatAddr(4, 0xffffffffn), '255.255.255.255');
  assert.equal(canonicalAddr('nope'), undefined);
});

test('parsePrefix gives one-line reasons, and the prefix as written', () => {
  assert.deepEqual(parsePrefix('10.0.10.7/24'), {
    ok: true,
    prefix: { family: 4, base: 0x0a000a07n, prefix: 24 },
  });
  assert.deepEqual(parsePrefix('10.0.10.0'), { ok: false, error: 'missing "/prefix-length"' });
  assert.deepEqual(parsePrefix('10.0.10.300/24'), {
    ok: false,
    error: '"10.0.10.300" is not an IPv4 or IPv6 address',
  });
  assert.deepEqual(parsePrefix('10.0.10.0/-1'), { ok: false, error: 'prefix length "-1" is not a number' });
  assert.deepEqual(parsePrefix('10.0.10.0/0024'), {
    ok: false,
    error: 'prefix length "0024" is not a number',
  });
  assert.deepEqual(parsePrefix('10.0.10.0/33'), { ok: false, error: 'prefix length 33 > 32' });
  assert.deepEqual(parsePrefix('2001:db8::/129'), { ok: false, error: 'prefix length 129 > 128' });
  assert.equal(parsePrefix('::/0').ok, true);
});

test('prefix ranges mask host bits; alignment, containment and overlap', () => {
  const p = parsePrefix('10.0.10.7/24');
  assert.ok(p.ok);
  const r = prefixRange(p.prefix);
  assert.equal(rangeText(r), '10.0.10.0 - 10.0.10.255');
  assert.equal(rangeSize(r), 256n);
  assert.equal(isPrefixAligned(p.prefix), false);
  assert.equal(formatPrefix(p.prefix), '10.0.10.0/24');
  assert.equal(isPrefixAligned({ family: 4, base: 0x0a000a00n, prefix: 24 }), true);
  const v6 = parsePrefix('2001:db8::/64');
  assert.ok(v6.ok);
  assert.equal(rangeSize(prefixRange(v6.prefix)), 1n << 64n);
  const inside = parseAddr('10.0.10.200');
  const outside = parseAddr('10.0.11.0');
  assert.ok(inside && outside);
  assert.equal(contains(r, inside), true);
  assert.equal(contains(r, outside), false);
  assert.equal(contains(prefixRange(v6.prefix), { family: 4, value: 0n }), false, 'families never mix');
  assert.equal(overlaps(r, { family: 4, from: 0x0a000affn, to: 0x0a000b00n }), true);
  assert.equal(overlaps(r, { family: 4, from: 0x0a000b00n, to: 0x0a000b00n }), false);
  assert.equal(overlaps(r, { family: 6, from: 0n, to: 1n << 100n }), false);
});

test('addresses go into buffers in network byte order and come back', () => {
  const buf = Buffer.alloc(20, 0xee);
  const v4 = parseAddr('10.0.10.1');
  const v6 = parseAddr('2001:db8::a');
  assert.ok(v4 && v6);
  writeAddrBytes(buf, 0, v4);
  assert.deepEqual([...buf.subarray(0, 5)], [10, 0, 10, 1, 0xee]);
  writeAddrBytes(buf, 4, v6);
  assert.equal(buf.subarray(4, 20).toString('hex'), '20010db800000000000000000000000a');
  assert.deepEqual(readAddrBytes(buf, 0, 4), v4);
  assert.deepEqual(readAddrBytes(buf, 4, 6), v6);
  assert.throws(() => writeAddrBytes(Buffer.alloc(3), 0, v4), RangeError);
  assert.throws(() => readAddrBytes(Buffer.alloc(15), 0, 6), RangeError);
});

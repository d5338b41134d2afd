// waggle_snat_v4_external and waggle_ipmasq_v4 byte for byte (Cilium's ipv4_ct_tuple,
// ipv4_nat_entry, lpm_v4_key layouts; the BTF check is in registry.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ipmasqCodec } from './ipmasq.js';
import { natRow, snatCodec } from './snat.js';

describe('waggle_snat_v4_external codec', () => {
  const key = {
    nexthdr: 6,
    dir: 'OUT',
    saddr: '10.200.1.5',
    sport: 40000,
    daddr: '10.98.0.10',
    dport: 9000,
  } as const;
  test('the tuple: daddr, saddr, dport, sport in network order, nexthdr, flags', () => {
    const k = snatCodec.encodeKey(key);
    assert.equal(k.toString('hex'), '0a62000a' + '0ac80105' + '2328' + '9c40' + '06' + '00');
    assert.deepEqual(snatCodec.decodeKey(k), key);
    assert.equal(snatCodec.encodeKey({ ...key, dir: 'IN' }).readUInt8(13), 1);
  });
  test('the entry: four u64 (created, needs_ct, seen, closing), then to_addr and to_port', () => {
    const e = { created: 7n, needsCt: false, seen: 9n, closing: 0n, toAddr: '10.98.0.21', toPort: 61003 };
    const v = snatCodec.encodeValue(e);
    assert.equal(v.length, 40);
    assert.equal(v.readBigUInt64LE(0), 7n);
    assert.equal(v.readBigUInt64LE(16), 9n);
    assert.equal(v.subarray(32).toString('hex'), '0a620015' + 'ee4b' + '0000');
    assert.deepEqual(snatCodec.decodeValue(v), e);
  });
  test('a row reads as `cilium bpf nat list`', () => {
    assert.deepEqual(
      natRow(key, { created: 100n, needsCt: false, toAddr: '10.98.0.21', toPort: 61003 }, 112n),
      [
        'TCP OUT 10.200.1.5:40000 -> 10.98.0.10:9000',
        'XLATE_SRC 10.98.0.21:61003',
        'Created=12sec ago',
        'NeedsCT=0',
      ],
    );
  });
  test('a bad port is refused naming the field', () => {
    assert.throws(
      () => snatCodec.encodeKey({ ...key, sport: 70000 }),
      /waggle_snat_v4_external: key\.sport 70000/,
    );
  });
});

describe('waggle_ipmasq_v4 codec', () => {
  test('prefixlen, then the address with host bits cleared', () => {
    const k = ipmasqCodec.encodeKey('10.98.0.7/24');
    assert.equal(k.toString('hex'), '18000000' + '0a620000');
    assert.equal(ipmasqCodec.decodeKey(k), '10.98.0.0/24');
    assert.throws(() => ipmasqCodec.encodeKey('10.98.0.0/33'), /waggle_ipmasq_v4: key "10\.98\.0\.0\/33"/);
  });
});

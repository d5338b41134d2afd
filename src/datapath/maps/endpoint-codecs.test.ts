// The pod datapath's map codecs without a kernel: bytes as bpf/lib/eps.h and ipcache.h lay them
// out, rows as `cilium-dbg bpf endpoint list` / `bpf ipcache list` print them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropReasonText } from '../drop-reasons.js';
import { EndpointFlags, endpointsCodec } from './endpoints.js';
import { eventsCodec, eventsLostCodec } from './events.js';
import { ipcacheCodec } from './ipcache.js';
import { RuntimeConfigIndex } from './runtime-config.js';

const ctx = { ifname: () => undefined };

describe('waggle_lxc codec', () => {
  const info = {
    ifindex: 19,
    lxcId: 3760,
    flags: 0,
    mac: '7e:29:ca:21:cc:5b',
    nodeMac: 'e2:df:f0:ea:f4:a3',
    secId: 60801,
  };

  test('key: IPv4 in the first 4 bytes, family 1 at 16; value fields at their offsets', () => {
    assert.equal(
      endpointsCodec.encodeKey({ ip: '10.244.3.123' }).toString('hex'),
      `0af4037b${'00'.repeat(12)}01000000`,
    );
    const v = endpointsCodec.encodeValue(info);
    assert.equal(v.readUInt16LE(6), 3760);
    assert.equal(v.subarray(16, 24).toString('hex'), '7e29ca21cc5b0000');
    assert.equal(v.subarray(24, 30).toString('hex'), 'e2dff0eaf4a3');
    assert.equal(v.readUInt32LE(32), 60801);
    assert.deepEqual(endpointsCodec.decodeValue(v), { ...info, rtInfo: 0, parentIfindex: 0 });
  });

  test('rows as cilium-dbg bpf endpoint list', () => {
    assert.deepEqual(endpointsCodec.row({ ip: '10.244.3.123' }, info, ctx), [
      '10.244.3.123:0',
      'id=3760  sec_id=60801 flags=0x0000 ifindex=19  mac=7E:29:CA:21:CC:5B nodemac=E2:DF:F0:EA:F4:A3 parent_ifindex=0  ',
    ]);
    assert.deepEqual(endpointsCodec.row({ ip: '192.168.0.4' }, { ...info, flags: EndpointFlags.HOST }, ctx), [
      '192.168.0.4:0',
      '(localhost)',
    ]);
    assert.throws(
      () => endpointsCodec.encodeValue({ ...info, lxcId: 70000 }),
      /value\.lxcId 70000: not a u16/,
    );
  });
});

describe('waggle_ipcache codec', () => {
  test('prefixlen is 32 static bits plus the prefix; host bits cleared', () => {
    const k = ipcacheCodec.encodeKey({ prefix: '10.244.1.61/24' });
    assert.equal(k.toString('hex'), `38000000000000010af40100${'00'.repeat(12)}`);
    assert.deepEqual(ipcacheCodec.decodeKey(k), { prefix: '10.244.1.0/24' });
    assert.deepEqual(ipcacheCodec.decodeKey(ipcacheCodec.encodeKey({ prefix: '0.0.0.0/0' })), {
      prefix: '0.0.0.0/0',
    });
    assert.throws(() => ipcacheCodec.encodeKey({ prefix: '10.0.0.0/33' }), /key\.prefix "10\.0\.0\.0\/33"/);
  });

  test('rows as cilium-dbg bpf ipcache list, flags by bit', () => {
    const v = ipcacheCodec.encodeValue({
      identity: 11370,
      tunnelEndpoint: '172.18.0.4',
      flags: { hasTunnelEp: true },
    });
    assert.equal(v[23], 2);
    assert.deepEqual(ipcacheCodec.row({ prefix: '10.244.2.17/32' }, ipcacheCodec.decodeValue(v), ctx), [
      '10.244.2.17/32',
      'identity=11370 encryptkey=0 tunnelendpoint=172.18.0.4 flags=hastunnel',
    ]);
    assert.deepEqual(ipcacheCodec.row({ prefix: '0.0.0.0/0', clusterId: 3 }, { identity: 2 }, ctx), [
      '0.0.0.0/0@3',
      'identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
    ]);
  });
});

describe('waggle_events and waggle_events_lost codecs', () => {
  test('the ring buffer is marked non-iterable and refuses keys', () => {
    assert.equal(eventsCodec.iterable, false);
    assert.throws(() => eventsCodec.encodeKey(undefined as never), /ring buffer has no keys/);
  });

  test('lost counts add up over CPUs; trace index and drop texts', () => {
    assert.equal(eventsLostCodec.merge?.([2n, 0n, 5n]), 7n);
    assert.equal(RuntimeConfigIndex.TraceEvents, 2);
    assert.equal(dropReasonText(132), 'Invalid source ip');
    assert.equal(dropReasonText(139), 'Unsupported L3 protocol');
    assert.equal(dropReasonText(255), '255');
  });
});

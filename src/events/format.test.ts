import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord, type DatapathEvent } from './decode.js';
import { bannerLines, formatEvent, identityText } from './format.js';
import {
  ACK,
  arpRequest,
  dropRecord,
  ipv4Packet,
  referenceSyn,
  referenceTrace,
  SYN,
  traceRecord,
} from './frames.test-helper.js';

function decoded(rec: Buffer): DatapathEvent {
  const r = decodeRecord(rec);
  assert.ok(r.ok && r.event.kind !== 'unknown', r.ok ? r.event.kind : r.error);
  return r.event;
}

const ifname = (i: number) => (i === 42 ? 'lxca66c1279a1ef' : undefined);
const referenceDrop = {
  subtype: 132,
  source: 1447,
  hash: 0x6e2f1a0c,
  srcLabel: 11370,
  dstLabel: 19520,
  dstId: 0,
  line: 1537,
  file: 2,
  ifindex: 17,
};
const dropSyn = ipv4Packet({
  proto: 'tcp',
  src: '10.244.1.23',
  dst: '10.244.1.61',
  sport: 54492,
  dport: 80,
  bits: SYN,
});

describe('monitor text', () => {
  test("the trace one-liner is Cilium's reference line exactly", () => {
    assert.equal(
      formatEvent(decoded(traceRecord(referenceTrace, referenceSyn)), { ifname }),
      '-> endpoint 1447 flow 0xdf31e3c3 , identity 6848->7392 state new ifindex lxca66c1279a1ef orig-ip 10.244.1.211: 10.244.1.211:33690 -> 10.244.1.106:80 tcp SYN',
    );
  });

  test("the drop one-liner is Cilium's reference line exactly", () => {
    assert.equal(
      formatEvent(decoded(dropRecord(referenceDrop, dropSyn))),
      'xx drop (Invalid source ip) flow 0x6e2f1a0c to endpoint 0, ifindex 17, file bpf_lxc.c:1537, , identity 11370->19520: 10.244.1.23:54492 -> 10.244.1.61:80 tcp SYN',
    );
    assert.match(
      formatEvent(decoded(dropRecord({ ...referenceDrop, subtype: 250, extError: -3 }, dropSyn))),
      /^xx drop \(250, -3\) /,
    );
  });

  test('the prefix follows the observation point; an unknown ifindex prints as its number', () => {
    const line = (subtype: number, extra: Partial<typeof referenceTrace> = {}) =>
      formatEvent(decoded(traceRecord({ ...referenceTrace, ...extra, subtype, ifindex: 7 }, referenceSyn)), {
        ifname,
      }).split(' flow ')[0];
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99].map((p) => line(p, p === 5 ? { source: 321 } : {})),
      [
        '-> endpoint 1447',
        '-> proxy port 1447',
        '-> host from',
        '-> stack',
        '-> overlay',
        '<- endpoint 321',
        '<- proxy',
        '<- host',
        '<- stack',
        '<- overlay',
        '<- network',
        '-> network',
        'unknown trace',
      ],
    );
    assert.match(
      formatEvent(decoded(traceRecord({ ...referenceTrace, ifindex: 7 }, referenceSyn)), { ifname }),
      / ifindex 7 orig-ip /,
    );
  });

  test('reserved identities print by name unless numeric; states by name', () => {
    const ev = decoded(traceRecord({ ...referenceTrace, srcLabel: 2, dstLabel: 6, reason: 2 }, referenceSyn));
    assert.match(formatEvent(ev), /, identity world->remote-node state reply /);
    assert.match(formatEvent(ev, { numeric: true }), /, identity 2->6 state reply /);
    assert.deepEqual(
      [1, 3, 4, 5, 7, 8, 9].map((i) => identityText(i)),
      ['host', 'unmanaged', 'health', 'init', 'kube-apiserver', 'ingress', '9'],
    );
  });

  test('connection summaries: TCP flags in order, UDP, ICMP names, ARP', () => {
    const summary = (payload: Buffer) =>
      formatEvent(decoded(traceRecord(referenceTrace, payload)))
        .split(': ')
        .slice(1)
        .join(': ');
    assert.equal(
      summary(
        ipv4Packet({
          proto: 'tcp',
          src: '10.0.0.1',
          dst: '10.0.0.2',
          sport: 80,
          dport: 4000,
          bits: SYN | ACK,
        }),
      ),
      '10.0.0.1:80 -> 10.0.0.2:4000 tcp SYN, ACK',
    );
    assert.equal(
      summary(ipv4Packet({ proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 53, dport: 5353 })),
      '10.0.0.1:53 -> 10.0.0.2:5353 udp',
    );
    assert.equal(
      summary(ipv4Packet({ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2', bits: 8 << 8 })),
      '10.0.0.1 -> 10.0.0.2 EchoRequest',
    );
    assert.equal(
      summary(ipv4Packet({ proto: 'icmp', src: '10.0.0.2', dst: '10.0.0.1', bits: (3 << 8) | 3 })),
      '10.0.0.2 -> 10.0.0.1 DestinationUnreachable(Port)',
    );
    assert.equal(summary(arpRequest('10.0.10.2', '10.0.10.1')), '02:00:00:00:0b:02 -> ff:ff:ff:ff:ff:ff ARP');
    assert.equal(summary(Buffer.alloc(3)), '[unknown]');
  });

  test('the verbose form: separator, Cilium header fields, then one line per layer', () => {
    const lines = formatEvent(decoded(traceRecord({ ...referenceTrace, lenOrig: 74 }, referenceSyn)), {
      ifname,
      verbose: true,
    }).split('\n');
    assert.equal(lines[0], '-'.repeat(78));
    assert.equal(
      lines[1],
      'CPU ??: MARK 0xdf31e3c3 FROM 1447 to-endpoint: 74 bytes (54 captured), state new, interface lxca66c1279a1ef, , identity 6848->7392, orig-ip 10.244.1.211, to endpoint 1447',
    );
    assert.deepEqual(
      lines.slice(2).map((l) => l.split('\t')[0]),
      ['Ethernet', 'IPv4', 'TCP'],
    );
    const drop = formatEvent(
      decoded(dropRecord({ ...referenceDrop, dstId: 1447 }, arpRequest('10.0.10.2', '10.0.10.1'))),
      { verbose: true },
    ).split('\n');
    assert.equal(
      drop[1],
      'CPU ??: MARK 0x6e2f1a0c FROM 1447 DROP: 42 bytes, reason Invalid source ip, identity 11370->19520, to endpoint 1447',
    );
    assert.equal(drop[3], 'ARP\t{request who-has 10.0.10.1 tell 10.0.10.2}');
  });

  test('the banner names the ring buffer instead of per-CPU perf rings', () => {
    assert.deepEqual(bannerLines(2, 1 << 20), [
      'Listening for events on 2 CPUs with a 1024 KiB ring buffer of shared memory',
      'Press Ctrl-C to quit',
    ]);
  });
});

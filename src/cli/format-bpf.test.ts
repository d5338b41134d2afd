// `waggle bpf … list` text, from map rows to exact output. The endpoint and ipcache expectations
// are cilium-dbg's own sample outputs (cilium/cilium PR #40519 for `bpf endpoint list`; the
// ipcache one as Cilium's docs show it), fed through waggle's codecs, so a codec or layout drift
// from Cilium's format fails here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MapRows } from '../agent/status.js';
import { EndpointFlags, endpointsCodec } from '../datapath/maps/endpoints.js';
import { ipcacheCodec } from '../datapath/maps/ipcache.js';
import { bpfEndpointList, bpfIpcacheList, bpfMetricsList, bpfNatList, tabwriter } from './format-bpf.js';

const ctx = { ifname: () => undefined };

describe('tabwriter (cilium-dbg: minwidth 5, padding 3)', () => {
  test('a column is its widest cell + 3, never under 5; the last cell is not padded', () => {
    assert.equal(
      tabwriter([
        ['a', 'b'],
        ['c', 'dd'],
      ]),
      'a    b\nc    dd\n',
    );
    assert.equal(
      tabwriter([
        ['abcd', 'x'],
        ['', 'y'],
      ]),
      'abcd   x\n       y\n',
    );
  });
});

describe('bpf endpoint list', () => {
  const pod = (ip: string, lxcId: number, secId: number, ifindex: number, mac: string, nodeMac: string) =>
    endpointsCodec.row({ ip }, { ifindex, lxcId, flags: 0, mac, nodeMac, secId, parentIfindex: 0 }, ctx);
  const rows: MapRows = {
    name: 'waggle_lxc',
    columns: ['IP ADDRESS', 'LOCAL ENDPOINT INFO'],
    // Kernel order is hash order; the listing sorts keys as strings.
    rows: [
      pod('fd00:10:244:3::f82d', 3393, 6608, 39, '42:e9:20:b0:00:10', '22:36:b2:97:bd:99'),
      endpointsCodec.row(
        { ip: '192.168.0.4' },
        {
          ifindex: 0,
          lxcId: 0,
          flags: EndpointFlags.HOST,
          mac: '00:00:00:00:00:00',
          nodeMac: '00:00:00:00:00:00',
          secId: 0,
        },
        ctx,
      ),
      pod('10.244.3.94', 412, 4, 23, '5e:92:51:f1:a6:fb', '6e:d9:3e:63:a8:7b'),
      pod('10.244.3.123', 3760, 60801, 19, '7e:29:ca:21:cc:5b', 'e2:df:f0:ea:f4:a3'),
    ],
  };

  test("Cilium's sample output, line for line", () => {
    const out = bpfEndpointList(rows, false);
    assert.equal(
      out.stdout,
      [
        'IP ADDRESS              LOCAL ENDPOINT INFO',
        '10.244.3.123:0          id=3760  sec_id=60801 flags=0x0000 ifindex=19  mac=7E:29:CA:21:CC:5B nodemac=E2:DF:F0:EA:F4:A3 parent_ifindex=0',
        '10.244.3.94:0           id=412   sec_id=4     flags=0x0000 ifindex=23  mac=5E:92:51:F1:A6:FB nodemac=6E:D9:3E:63:A8:7B parent_ifindex=0',
        '192.168.0.4:0           (localhost)',
        'fd00:10:244:3::f82d:0   id=3393  sec_id=6608  flags=0x0000 ifindex=39  mac=42:E9:20:B0:00:10 nodemac=22:36:B2:97:BD:99 parent_ifindex=0',
        '',
      ].join('\n'),
    );
    assert.equal(out.stderr, '');
  });

  test('an empty map prints the title alone; -o json is key → values', () => {
    assert.deepEqual(bpfEndpointList({ ...rows, rows: [] }, false), {
      stdout: 'IP ADDRESS   LOCAL ENDPOINT INFO\n',
      stderr: '',
    });
    const json = JSON.parse(bpfEndpointList(rows, true).stdout) as Record<string, string[]>;
    assert.deepEqual(Object.keys(json), [
      '10.244.3.123:0',
      '10.244.3.94:0',
      '192.168.0.4:0',
      'fd00:10:244:3::f82d:0',
    ]);
    assert.deepEqual(json['192.168.0.4:0'], ['(localhost)']);
  });

  test('rows from another build of the agent are refused, naming the map and both column lists', () => {
    assert.throws(
      () => bpfEndpointList({ ...rows, columns: ['IP', 'INFO'] }, false),
      /^Error: map waggle_lxc: the agent's columns are \["IP","INFO"\], this CLI expects \["IP ADDRESS","LOCAL ENDPOINT INFO"\]/,
    );
  });
});

describe('bpf ipcache list', () => {
  const entry = (prefix: string, identity: number, tunnelEndpoint = '0.0.0.0') =>
    ipcacheCodec.row(
      { prefix },
      {
        identity,
        encryptKey: 0,
        tunnelEndpoint,
        flags: tunnelEndpoint === '0.0.0.0' ? {} : { hasTunnelEp: true },
      },
      ctx,
    );
  const rows: MapRows = {
    name: 'waggle_ipcache',
    columns: ['IP PREFIX/ADDRESS', 'IDENTITY'],
    rows: [
      entry('172.18.0.4/32', 6),
      entry('10.244.2.17/32', 11370, '172.18.0.4'),
      entry('0.0.0.0/0', 2),
      entry('172.18.0.3/32', 1),
      entry('10.244.1.61/32', 19520),
    ],
  };

  test("Cilium's sample output, line for line", () => {
    assert.deepEqual(bpfIpcacheList(rows, false), {
      stdout: [
        'IP PREFIX/ADDRESS   IDENTITY',
        '0.0.0.0/0           identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
        '10.244.1.61/32      identity=19520 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
        '10.244.2.17/32      identity=11370 encryptkey=0 tunnelendpoint=172.18.0.4 flags=hastunnel',
        '172.18.0.3/32       identity=1 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
        '172.18.0.4/32       identity=6 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  test('an empty map says "No entries found." on stderr and nothing on stdout; JSON stays {}', () => {
    assert.deepEqual(bpfIpcacheList({ ...rows, rows: [] }, false), {
      stdout: '',
      stderr: 'No entries found.\n',
    });
    assert.deepEqual(bpfIpcacheList({ ...rows, rows: [] }, true), { stdout: '{}\n', stderr: '' });
  });
});

describe('bpf metrics list', () => {
  const rows: MapRows = {
    name: 'waggle_metrics',
    columns: ['REASON', 'DIRECTION', 'PACKETS', 'BYTES', 'LINE', 'FILE'],
    rows: [
      ['Success', 'INGRESS', '12', '1008', '80', 'bpf_lxc.c'],
      ['Success', 'EGRESS', '3', '126', '80', 'bpf_lxc.c'],
      ['Invalid source ip', 'INGRESS', '1', '60', '41', 'bpf_lxc.c'],
    ],
  };

  test('rows sorted column by column as strings, padded as tabwriter pads them', () => {
    assert.equal(
      bpfMetricsList(rows, false).stdout,
      [
        'REASON              DIRECTION   PACKETS   BYTES   LINE   FILE',
        'Invalid source ip   INGRESS     1         60      41     bpf_lxc.c',
        'Success             EGRESS      3         126     80     bpf_lxc.c',
        'Success             INGRESS     12        1008    80     bpf_lxc.c',
        '',
      ].join('\n'),
    );
  });

  test('an empty map says "No entries found." on stderr, in both forms', () => {
    for (const json of [false, true])
      assert.deepEqual(bpfMetricsList({ ...rows, rows: [] }, json), {
        stdout: '',
        stderr: 'No entries found.\n',
      });
  });

  test('JSON sums rows that agree on reason, direction, line and file; u64 counters stay exact', () => {
    const dup: MapRows = {
      ...rows,
      rows: [
        ['Success', 'EGRESS', '18446744073709551000', '10', '80', 'bpf_lxc.c'],
        ['Success', 'EGRESS', '615', '5', '80', 'bpf_lxc.c'],
        ['Success', 'EGRESS', '1', '1', '81', 'bpf_lxc.c'],
      ],
    };
    assert.equal(
      bpfMetricsList(dup, true).stdout,
      [
        '[',
        '  {',
        '    "reason": "Success",',
        '    "direction": "egress",',
        '    "packets": 18446744073709551615,',
        '    "bytes": 15,',
        '    "line": 80,',
        '    "file": "bpf_lxc.c"',
        '  },',
        '  {',
        '    "reason": "Success",',
        '    "direction": "egress",',
        '    "packets": 1,',
        '    "bytes": 1,',
        '    "line": 81,',
        '    "file": "bpf_lxc.c"',
        '  }',
        ']',
        '',
      ].join('\n'),
    );
  });
});

test('bpf nat list: one line per entry in string order; empty prints "No entries found." on stderr', () => {
  const m = {
    name: 'waggle_snat_v4_external',
    columns: ['TUPLE', 'XLATE', 'CREATED', 'NEEDSCT'],
    rows: [
      [
        'TCP OUT 10.200.1.5:40000 -> 10.98.0.10:9000',
        'XLATE_SRC 10.98.0.21:61003',
        'Created=3sec ago',
        'NeedsCT=0',
      ],
      [
        'TCP IN 10.98.0.10:9000 -> 10.98.0.21:61003',
        'XLATE_DST 10.200.1.5:40000',
        'Created=3sec ago',
        'NeedsCT=0',
      ],
    ],
  };
  assert.deepEqual(bpfNatList(m, false), {
    stdout:
      'TCP IN 10.98.0.10:9000 -> 10.98.0.21:61003 XLATE_DST 10.200.1.5:40000 Created=3sec ago NeedsCT=0\n' +
      'TCP OUT 10.200.1.5:40000 -> 10.98.0.10:9000 XLATE_SRC 10.98.0.21:61003 Created=3sec ago NeedsCT=0\n',
    stderr: '',
  });
  assert.deepEqual(bpfNatList({ ...m, rows: [] }, false), { stdout: '', stderr: 'No entries found.\n' });
  assert.throws(() => bpfNatList({ ...m, columns: ['X'] }, false), /agent's columns/);
});

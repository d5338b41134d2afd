import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BpfError } from '../bpf/errors.js';
import { desiredRows } from './desired.js';
import { type ResponderKey, type ResponderMap, ResponderReconciler } from './reconciler.js';
import type { SelectedService } from './selection.js';

/** An in-memory stand-in for the responder TypedMap (same has/set/delete/keys contract). */
class FakeMap implements ResponderMap {
  data = new Map<string, bigint>();
  writes = 0;
  has = (k: ResponderKey) => this.data.has(`${k.ip}@${k.ifindex}`);
  set = (k: ResponderKey, v: { responsesSent: bigint }) => {
    this.writes++;
    this.data.set(`${k.ip}@${k.ifindex}`, v.responsesSent);
  };
  delete = (k: ResponderKey) => this.data.delete(`${k.ip}@${k.ifindex}`);
  keys = () =>
    [...this.data.keys()].map((s) => {
      const [ip = '', idx = '0'] = s.split('@');
      return { ip, ifindex: Number(idx) };
    });
}

const ifindexes: Record<string, number> = { eth0: 2, eth1: 3 };

function setup(opts: { garpFails?: boolean } = {}) {
  const map = new FakeMap();
  const garps: string[] = [];
  const logs: string[] = [];
  const rec = new ResponderReconciler({
    map,
    ifindexOf: (n) => ifindexes[n],
    garp: (r) => {
      if (opts.garpFails) throw new Error('network is down');
      garps.push(`${r.ip}@${r.iface}`);
    },
    log: (m) => logs.push(m),
  });
  return { map, garps, logs, rec };
}

const svc = (name: string, ip: string, devices: string[], ext: string[] = []): SelectedService => ({
  key: `default/${name}`,
  service: {
    metadata: { name, namespace: 'default' },
    spec: { externalIPs: ext },
    status: { loadBalancer: { ingress: [{ ip }] } },
  },
  policies: [{ name: 'p', devices, loadBalancerIPs: true, externalIPs: true }],
  devices,
});

describe('desired rows', () => {
  it('IPs × devices for led services only, rows shared by origin, IPv4 only', () => {
    const rows = desiredRows(
      [
        svc('a', '10.0.10.0', ['eth0', 'eth1'], ['2001:db8::1']),
        svc('b', '10.0.10.0', ['eth0']),
        svc('c', '10.0.10.9', ['eth0']),
      ],
      (k) => k !== 'default/c',
    );
    assert.deepEqual(rows, [
      { ip: '10.0.10.0', iface: 'eth0', origins: ['default/a', 'default/b'] },
      { ip: '10.0.10.0', iface: 'eth1', origins: ['default/a'] },
    ]);
  });
});

describe('responder reconciler', () => {
  const rows = [
    { ip: '10.0.10.0', iface: 'eth0', origins: ['default/a'] },
    { ip: '10.0.10.0', iface: 'eth1', origins: ['default/a'] },
  ];

  it('adds new keys with a zero counter and one GARP per key', () => {
    const { map, garps, rec } = setup();
    rec.apply(rows);
    assert.deepEqual(
      [...map.data],
      [
        ['10.0.10.0@2', 0n],
        ['10.0.10.0@3', 0n],
      ],
    );
    assert.deepEqual(garps, ['10.0.10.0@eth0', '10.0.10.0@eth1']);
  });

  it('never resets an existing counter and sends no second GARP', () => {
    const { map, garps, rec } = setup();
    rec.apply(rows);
    map.data.set('10.0.10.0@2', 40n); // the datapath answered 40 requests
    const writes = map.writes;
    rec.apply(rows);
    rec.markInitialSyncDone();
    rec.fullSync(rows);
    assert.equal(map.data.get('10.0.10.0@2'), 40n);
    assert.equal(map.writes, writes);
    assert.equal(garps.length, 2);
  });

  it('removes rows that are no longer desired (incremental)', () => {
    const { map, rec } = setup();
    rec.apply(rows);
    rec.apply(rows.slice(0, 1));
    assert.deepEqual([...map.data.keys()], ['10.0.10.0@2']);
    rec.apply([]);
    assert.equal(map.data.size, 0);
  });

  it('keeps stale pinned entries until the initial sync, then removes them', () => {
    const { map, garps, rec } = setup();
    map.data.set('10.0.10.0@2', 7n); // left by the previous run, still led
    map.data.set('10.0.10.5@3', 1n); // left by the previous run, no longer led
    rec.fullSync([]);
    assert.equal(map.data.size, 2, 'nothing removed before the initial sync');
    rec.markInitialSyncDone();
    rec.fullSync(rows.slice(0, 1));
    assert.deepEqual([...map.data], [['10.0.10.0@2', 7n]]);
    assert.deepEqual(garps, [], 'an entry already present is not announced again');
  });

  it('a failed GARP is a warning and the entry is created anyway', () => {
    const { map, logs, rec } = setup({ garpFails: true });
    rec.apply(rows.slice(0, 1));
    assert.equal(map.data.get('10.0.10.0@2'), 0n);
    assert.ok(
      logs.some((l) => /warning: gratuitous ARP .* failed, continuing: network is down/.test(l)),
      logs.join('\n'),
    );
  });

  it('skips rows whose interface is unknown', () => {
    const { map, rec } = setup();
    rec.apply([{ ip: '10.0.10.1', iface: 'bond0', origins: ['default/x'] }]);
    assert.equal(map.data.size, 0);
  });
});

describe('responder map full', () => {
  it('keeps going, says which IP is not announced, reports it, and adds it once there is room', () => {
    const map = new FakeMap();
    const capacity = 2;
    const realSet = map.set;
    map.set = (k, v) => {
      // The kernel's answer for a full hash map: E2BIG, as BpfMap.update reports it.
      if (!map.has(k) && map.data.size >= capacity) {
        throw new BpfError({ op: 'update map', object: 'waggle_l2_responder_v4', errno: 7 });
      }
      realSet(k, v);
    };
    const garps: string[] = [];
    const logs: string[] = [];
    const errors: string[] = [];
    const rec = new ResponderReconciler({
      map,
      ifindexOf: (n) => ifindexes[n],
      garp: (r) => garps.push(`${r.ip}@${r.iface}`),
      log: (m) => logs.push(m),
      onWriteError: (r, reason) => errors.push(`${r.ip}@${r.iface}:${reason}`),
    });
    const three = [
      svc('a', '10.0.10.1', ['eth0']),
      svc('b', '10.0.10.2', ['eth0']),
      svc('c', '10.0.10.3', ['eth0']),
    ];
    rec.apply(desiredRows(three, () => true));
    assert.equal(map.data.size, 2);
    assert.deepEqual(errors, ['10.0.10.3@eth0:map_full']);
    assert.deepEqual(garps, ['10.0.10.1@eth0', '10.0.10.2@eth0']);
    assert.ok(logs.some((l) => /10\.0\.10\.3 is NOT announced on eth0: the responder map is full/.test(l)));
    // Service a goes away: its entry is removed and the waiting IP gets its place and its GARP.
    rec.apply(desiredRows(three.slice(1), () => true));
    assert.deepEqual([...map.data.keys()].sort(), ['10.0.10.2@2', '10.0.10.3@2']);
    assert.deepEqual(garps.at(-1), '10.0.10.3@eth0');
    assert.equal(errors.length, 1);
  });
});

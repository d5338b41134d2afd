// bpf_host.o loaded the way the agent loads it: maps pinned by name in a private bpffs, shapes as
// Cilium's, the load-time constant set, and bpftool showing what the seed shows.
import { IPMASQ_MAP } from './maps/ipmasq.js';
import { CT4_ANY_MAP, CT4_ANY_MAX_ENTRIES, CT4_TCP_MAP, CT4_TCP_MAX_ENTRIES } from './maps/ct4.js';
import { CT_STATS_MAP } from './maps/ct-stats.js';
import { LB4_BACKENDS_MAP, LB4_REVERSE_NAT_MAP } from './maps/lb4-backends.js';
import { LB4_SERVICES_MAP } from './maps/lb4-services.js';
import { LB4_SOURCE_RANGE_MAP } from './maps/lb4-source-range.js';
import { LB4_AFFINITY_MAP } from './maps/lb4-affinity.js';
import { SNAT_MAP, SNAT_MAX_ENTRIES } from './maps/snat.js';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { BpfError, BpfObject, MapType, TcAct } from '../bpf/index.js';
import { DropReason, DROPS_MAP, dropsCodec } from './maps/drops.js';
import { METRICS_MAP } from './maps/metrics.js';
import { DEVICES_MAP } from './maps/devices.js';
import { ENDPOINTS_MAP } from './maps/endpoints.js';
import { EVENTS_LOST_MAP, EVENTS_MAP } from './maps/events.js';
import { IPCACHE_MAP } from './maps/ipcache.js';
import { L2_RESPONDER_V4_MAP, L2_RESPONDER_V4_MAX_ENTRIES } from './maps/l2-responder.js';
import { RUNTIME_CONFIG_MAP, RUNTIME_CONFIG_MAX_ENTRIES, RuntimeConfigIndex } from './maps/runtime-config.js';
import { TypedMap } from '../bpf/typed-map.js';
import { type TempBpffs, tempBpffs } from '../testing/bpffs.js';
import { sh } from '../testing/exec.js';
import {
  DEFAULT_MAX_LIVENESS_NS,
  HOST_OBJECT_PATH,
  loadHostDatapath,
  MAX_LIVENESS_CONSTANT,
} from './host-datapath.js';

const BPF_F_NO_PREALLOC = 1;

describe('host datapath object', () => {
  let fs: TempBpffs;
  before(() => {
    fs = tempBpffs();
  });
  after(() => fs.cleanup());

  test('pins its maps by name, with the layouts of Cilium', () => {
    const pinDir = `${fs.dir}/layout`;
    const dp = loadHostDatapath({ pinDir, maxLivenessNs: 3_000_000_000n });
    try {
      assert.deepEqual(
        readdirSync(pinDir).sort(),
        [
          DEVICES_MAP,
          DROPS_MAP,
          L2_RESPONDER_V4_MAP,
          METRICS_MAP,
          RUNTIME_CONFIG_MAP,
          ENDPOINTS_MAP,
          IPCACHE_MAP,
          EVENTS_MAP,
          EVENTS_LOST_MAP,
          SNAT_MAP,
          IPMASQ_MAP,
          LB4_SERVICES_MAP,
          LB4_BACKENDS_MAP,
          LB4_REVERSE_NAT_MAP,
          LB4_SOURCE_RANGE_MAP,
          LB4_AFFINITY_MAP,
          CT4_TCP_MAP,
          CT4_ANY_MAP,
          CT_STATS_MAP,
        ].sort(),
      );
      // Cilium's cilium_ct4_global / cilium_ct_any4_global shapes (waggle's 40-byte value).
      for (const [m, max] of [
        [dp.ct4Tcp, CT4_TCP_MAX_ENTRIES],
        [dp.ct4Any, CT4_ANY_MAX_ENTRIES],
      ] as const) {
        const i = m.raw.info;
        assert.deepEqual([i.type, i.keySize, i.valueSize, i.maxEntries], [MapType.LRU_HASH, 14, 40, max]);
      }
      const sr = dp.sourceRange.raw.info;
      assert.deepEqual([sr.type, sr.keySize, sr.valueSize], [MapType.LPM_TRIE, 12, 1]);
      // Cilium's cilium_snat_v4_external and cilium_ipmasq_v4 shapes.
      const n = dp.snat.raw.info;
      assert.deepEqual(
        [n.type, n.keySize, n.valueSize, n.maxEntries],
        [MapType.LRU_HASH, 14, 40, SNAT_MAX_ENTRIES],
      );
      const q = dp.ipmasq.raw.info;
      assert.deepEqual([q.type, q.keySize, q.valueSize], [MapType.LPM_TRIE, 8, 1]);
      const r = dp.responder.raw.info;
      assert.deepEqual(
        [r.type, r.keySize, r.valueSize, r.maxEntries, r.flags],
        [MapType.HASH, 8, 8, L2_RESPONDER_V4_MAX_ENTRIES, BPF_F_NO_PREALLOC],
      );
      const c = dp.runtimeConfig.raw.info;
      assert.deepEqual(
        [c.type, c.keySize, c.valueSize, c.maxEntries],
        [MapType.ARRAY, 4, 8, RUNTIME_CONFIG_MAX_ENTRIES],
      );
      const d = dp.devices.raw.info;
      assert.deepEqual([d.type, d.keySize, d.valueSize], [MapType.HASH, 4, 12]);
      const m = dp.metrics.raw.info;
      assert.deepEqual([m.type, m.keySize, m.valueSize], [MapType.PERCPU_HASH, 8, 16]);
      assert.equal(dp.object.getConstant(MAX_LIVENESS_CONSTANT).readBigUInt64LE(0), 3_000_000_000n);
    } finally {
      dp.close();
    }
  });

  test('the compiled default max liveness is 15 s', () => {
    const obj = BpfObject.open(HOST_OBJECT_PATH);
    try {
      assert.equal(obj.getConstant(MAX_LIVENESS_CONSTANT).readBigUInt64LE(0), DEFAULT_MAX_LIVENESS_NS);
    } finally {
      obj.close();
    }
  });

  test('bpftool map dump shows "ip4": 655370, the ifindex and responses_sent, as in the seed', () => {
    const pinDir = `${fs.dir}/dump`;
    const dp = loadHostDatapath({ pinDir, maxLivenessNs: DEFAULT_MAX_LIVENESS_NS });
    try {
      dp.responder.set({ ip: '10.0.10.0', ifindex: 3 }, { responsesSent: 3n });
      dp.runtimeConfig.set(RuntimeConfigIndex.AgentLiveness, 123456789n);
      // Plain (not -j) output is what the seed shows: BTF-formatted, and valid JSON.
      const text = sh('bpftool', ['map', 'dump', 'pinned', `${pinDir}/${L2_RESPONDER_V4_MAP}`]).stdout;
      assert.match(text, /"ip4": 655370,\s+"ifindex": 3/);
      assert.deepEqual(JSON.parse(text), [
        { key: { ip4: 655370, ifindex: 3 }, value: { responses_sent: 3 } },
      ]);
      const cfg = JSON.parse(
        sh('bpftool', [
          'map',
          'lookup',
          'pinned',
          `${pinDir}/${RUNTIME_CONFIG_MAP}`,
          'key',
          '1',
          '0',
          '0',
          '0',
        ]).stdout,
      );
      assert.deepEqual(cfg, { key: 1, value: 123456789 });
    } finally {
      dp.close();
    }
  });

  test('a bad max liveness is refused with one line, before anything is pinned', () => {
    const pinDir = `${fs.dir}/refused`;
    assert.throws(
      () => loadHostDatapath({ pinDir, maxLivenessNs: 0n }),
      (err: unknown) =>
        err instanceof BpfError &&
        /^load host datapath l2_announcements_max_liveness: maxLivenessNs 0: must be/.test(err.message),
    );
    assert.equal(existsSync(pinDir), false);
  });

  test('plain `bpftool prog loadall … type tc` loads it with no side effects on the pin directory', () => {
    const dir = `${fs.dir}/loadall`;
    sh('bpftool', ['prog', 'loadall', HOST_OBJECT_PATH, dir, 'type', 'tc']);
    try {
      // Only the program is pinned: the maps carry no pinning attribute, so nothing else appears.
      assert.deepEqual(readdirSync(dir).sort(), ['from_host', 'from_netdev', 'to_netdev']);
      const info = JSON.parse(sh('bpftool', ['-j', 'prog', 'show', 'pinned', `${dir}/from_netdev`]).stdout);
      assert.equal(info.type, 'sched_cls');
      assert.equal(info.name, 'from_netdev');
    } finally {
      sh('rm', ['-rf', dir]);
    }
    assert.equal(existsSync(dir), false);
  });

  test('the drop reasons in TypeScript are the enum compiled into the object', () => {
    const raw = sh('bpftool', ['btf', 'dump', 'file', HOST_OBJECT_PATH, 'format', 'raw']).stdout;
    const section = raw.split(/\n(?=\[)/).find((s) => s.includes("ENUM 'drop_reason'"));
    assert.ok(section, 'enum drop_reason is in the BTF');
    const fromC = Object.fromEntries(
      [...section.matchAll(/'(\w+)' val=(\d+)/g)].map((m) => [m[1], Number(m[2])]),
    );
    assert.deepEqual(fromC, DropReason);
  });
});

describe('a failed packet store drops with DROP_WRITE_ERROR', () => {
  let fs: TempBpffs;
  before(() => {
    fs = tempBpffs();
  });
  after(() => fs.cleanup());

  test('arp_respond on a frame too short to rewrite: TC_ACT_SHOT, counted under DROP_WRITE_ERROR', () => {
    const obj = BpfObject.open('build/bpf/tests/arp_write_fail.o');
    try {
      obj.pinMapsIn(fs.dir);
      obj.load();
      const prog = obj.program('write_fail_prog');
      const drops = TypedMap.fromObject(obj, dropsCodec);
      const short = Buffer.alloc(30, 0x11);
      for (let i = 0; i < 2; i++) {
        const res = prog.testRun({ data: short });
        assert.equal(res.retval, TcAct.SHOT);
      }
      assert.deepEqual(drops.entries(), [[DropReason.DROP_WRITE_ERROR, 2n]]);
      // bpftool names the reason, because the key's BTF type is the enum.
      const dump = JSON.parse(sh('bpftool', ['map', 'dump', 'pinned', `${fs.dir}/${DROPS_MAP}`]).stdout);
      assert.deepEqual(dump, [{ key: 'DROP_WRITE_ERROR', value: 2 }]);
      // The same code path with a frame long enough succeeds and is not counted.
      const ok = prog.testRun({ data: Buffer.alloc(42, 0x11) });
      assert.equal(ok.retval, TcAct.REDIRECT);
      assert.equal(drops.get(DropReason.DROP_WRITE_ERROR), 2n);
    } finally {
      obj.close();
    }
  });
});

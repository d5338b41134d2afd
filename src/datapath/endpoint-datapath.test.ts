// bpf_lxc.o loaded as the agent loads it, once per endpoint: the constants' exact bytes, maps
// shared with bpf_host through the pin directory, pinned tcx links that outlive our fds, the
// notification records' bytes (through events_probe.o, which runs the same fill code), from_host's
// delivery, and how long one load takes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { BpfObject, queryTc, skbContext, TcAct, withNetns } from '../bpf/index.js';
import { type TempBpffs, tempBpffs } from '../testing/bpffs.js';
import { TestNetns } from '../testing/netns.js';
import { sh } from '../testing/exec.js';
import { NODE_IP, PEER, PEER_IP } from './cases/lxc.js';
import { DEFAULT_MAX_LIVENESS_NS, loadHostDatapath } from './host-datapath.js';
import { attachEndpoint, detachPinned, loadEndpointProgram } from './endpoint-datapath.js';
import { encodeEndpointIpv4, encodeInterfaceMac } from './objects/lxc.js';
import { POD } from './testing/lxc-case.js';
import { ipv4Packet } from './testing/lxc-frames.js';
import { EVENTS_PROBE_PATH } from './testing/lxc-runner.js';

const opts = (pinDir: string) => ({
  pinDir,
  endpointId: POD.endpointId,
  ipv4: POD.ipv4,
  lxcMac: POD.lxcMac,
  ifindex: POD.ifindex,
});

/** Every BPF link in the kernel (links are not per netns), as bpftool prints them. */
const linkedProgs = (): string => JSON.stringify(JSON.parse(sh('bpftool', ['-j', 'link', 'show']).stdout));

describe('endpoint datapath', () => {
  let fs: TempBpffs;
  before(() => {
    fs = tempBpffs();
  });
  after(() => fs.cleanup());

  test('constant encodings: the IP and MAC bytes in packet order, little-endian integers', () => {
    assert.equal(encodeEndpointIpv4('10.200.1.5'), 0x0501c80a);
    assert.equal(encodeInterfaceMac('02:aa:bb:cc:dd:ee'), 0xeeddccbbaa02n);
    const ep = loadEndpointProgram(opts(`${fs.dir}/constants`));
    try {
      assert.equal(ep.object.getConstant('endpoint_ipv4').toString('hex'), '0ac80105');
      assert.equal(ep.object.getConstant('interface_mac').toString('hex'), '0200000001a10000');
      assert.equal(ep.object.getConstant('endpoint_id').readUInt32LE(0), POD.endpointId);
      assert.equal(ep.object.getConstant('interface_ifindex').readUInt32LE(0), POD.ifindex);
    } finally {
      ep.close();
    }
    assert.throws(
      () => loadEndpointProgram({ ...opts(`${fs.dir}/bad`), endpointId: 70000 }),
      /endpoint ID is 1\.\.65535/,
    );
    assert.throws(
      () => loadEndpointProgram({ ...opts(`${fs.dir}/bad`), ipv4: '10.200.1' }),
      /endpoint_ipv4 "10\.200\.1"/,
    );
  });

  test('bpf_host and two endpoints share waggle_lxc and the ring through one pin directory', () => {
    const pinDir = `${fs.dir}/shared`;
    const host = loadHostDatapath({ pinDir, maxLivenessNs: DEFAULT_MAX_LIVENESS_NS });
    const a = loadEndpointProgram(opts(pinDir));
    const b = loadEndpointProgram({
      ...opts(pinDir),
      endpointId: PEER.lxcId,
      ipv4: PEER_IP,
      ifindex: PEER.ifindex,
    });
    try {
      host.endpoints.set({ ip: PEER_IP }, PEER);
      assert.deepEqual(a.maps.endpoints.get({ ip: PEER_IP })?.secId, PEER.secId);
      assert.equal(b.maps.endpoints.raw.info.id, host.endpoints.raw.info.id);
      assert.equal(a.maps.events.raw.info.id, host.events.raw.info.id);
      assert.equal(a.maps.events.count(), 0, 'a ring buffer lists as 0 entries');
      assert.deepEqual(a.maps.events.entries(), []);
      // from_host hands IPv4 for a local pod to its lxc device: its MACs, TTL left alone.
      const frame = ipv4Packet({
        ethDst: '02:00:00:00:0f:01',
        ethSrc: '02:00:00:00:0f:02',
        src: NODE_IP,
        dst: PEER_IP,
      });
      const res = host.fromHost.testRun({ data: frame, ctx: skbContext({}) });
      assert.equal(res.retval, TcAct.REDIRECT);
      const want = ipv4Packet({ ethDst: PEER.mac, ethSrc: PEER.nodeMac, src: NODE_IP, dst: PEER_IP });
      assert.equal(res.data.toString('hex'), want.toString('hex'));
      const other = ipv4Packet({
        ethDst: '02:00:00:00:0f:01',
        ethSrc: '02:00:00:00:0f:02',
        src: NODE_IP,
        dst: '10.200.1.77',
      });
      const passed = host.fromHost.testRun({ data: other, ctx: skbContext({}) });
      assert.equal(passed.retval, TcAct.OK);
      assert.ok(passed.data.equals(other));
    } finally {
      b.close();
      a.close();
      host.close();
    }
  });

  test('drop and trace records: every field where notify.h puts it, payload capped at 128', () => {
    const probe = BpfObject.open(EVENTS_PROBE_PATH);
    try {
      probe.pinMapsIn(`${fs.dir}/probe`);
      probe.load();
      for (const len of [60, 300]) {
        const frame = Buffer.from(Array.from({ length: len }, (_, i) => i & 0xff));
        frame.writeUInt16BE(0x88cc, 12);
        assert.equal(probe.program('drop_fill').testRun({ data: frame }).retval, TcAct.OK);
        const d = probe.map('probe_drop').lookup(Buffer.alloc(4));
        assert.ok(d && d.length === 48 + 128);
        const cap = Math.min(len, 128);
        // type 1 DROP, subtype = reason 132, source 1234, len_orig, len_cap, version 3.
        assert.deepEqual(
          [d[0], d[1], d.readUInt16LE(2), d.readUInt32LE(8), d.readUInt16LE(12), d[14], d[15]],
          [1, 132, 1234, len, cap, 3, 0],
        );
        // src_label, dst_label, dst_id, line, file 2 (bpf_lxc.c), ext_error, ifindex.
        assert.deepEqual(
          [
            d.readUInt32LE(16),
            d.readUInt32LE(20),
            d.readUInt32LE(24),
            d.readUInt16LE(28),
            d[30],
            d[31],
            d.readUInt32LE(32),
          ],
          [0x11223344, 2, 77, 4242, 2, 0, 17],
        );
        assert.ok(d.subarray(48, 48 + cap).equals(frame.subarray(0, cap)));
        assert.equal(probe.program('trace_fill').testRun({ data: frame }).retval, TcAct.OK);
        const t = probe.map('probe_trace').lookup(Buffer.alloc(4));
        assert.ok(t && t.length === 56 + 128);
        // type 4 TRACE, subtype 0 TO_LXC, version 2; src, dst, dst_id (u16), reason 5 unknown, ifindex.
        assert.deepEqual(
          [t[0], t[1], t.readUInt16LE(2), t.readUInt32LE(8), t.readUInt16LE(12), t[14]],
          [4, 0, 1234, len, cap, 2],
        );
        assert.deepEqual(
          [t.readUInt32LE(16), t.readUInt32LE(20), t.readUInt16LE(24), t[26], t[27], t.readUInt32LE(28)],
          [0x11223344, 2, 77, 5, 0, 17],
        );
        assert.ok(t.subarray(56, 56 + cap).equals(frame.subarray(0, cap)));
      }
    } finally {
      probe.close();
    }
  });

  test('one load per endpoint: measured', (t) => {
    const pinDir = `${fs.dir}/timing`;
    loadEndpointProgram(opts(pinDir)).close(); // first load creates the shared maps
    const ms: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = process.hrtime.bigint();
      const ep = loadEndpointProgram({ ...opts(pinDir), endpointId: 100 + i });
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      ep.close();
    }
    ms.sort((x, y) => x - y);
    t.diagnostic(
      `bpf_lxc.o load with shared maps: median ${ms[5]?.toFixed(1)} ms, max ${ms[9]?.toFixed(1)} ms`,
    );
    assert.ok((ms[5] ?? Infinity) < 2000, 'a load takes well under 2 s');
  });

  test('pinned tcx links keep the programs attached after our fds close, until detachPinned', () => {
    const ns = TestNetns.create('lxc');
    try {
      const pinDir = `${fs.dir}/attach`;
      const linkIngress = `${fs.dir}/attach-ingress-link`;
      const linkEgress = `${fs.dir}/attach-egress-link`;
      withNetns(ns.name, () => {
        const ep = loadEndpointProgram(opts(pinDir));
        const ids = [ep.fromContainer.id, ep.toContainer.id];
        attachEndpoint(ep.fromContainer, 1, 'ingress', linkIngress);
        attachEndpoint(ep.toContainer, 1, 'egress', linkEgress);
        ep.close();
        const attached = linkedProgs();
        for (const id of ids) assert.match(attached, new RegExp(`"prog_id":${id}\\b`));
        // Re-attaching a new load at the same pin replaces the old link: one program per hook.
        const again = loadEndpointProgram(opts(pinDir));
        attachEndpoint(again.fromContainer, 1, 'ingress', linkIngress);
        const newId = again.fromContainer.id;
        again.close();
        const after = linkedProgs();
        assert.match(after, new RegExp(`"prog_id":${newId}\\b`));
        assert.doesNotMatch(after, new RegExp(`"prog_id":${ids[0]}\\b`));
        assert.equal(detachPinned(linkIngress), true);
        assert.equal(detachPinned(linkEgress), true);
        assert.equal(detachPinned(linkEgress), false);
        assert.equal(existsSync(linkIngress), false);
        const gone = linkedProgs();
        assert.doesNotMatch(gone, new RegExp(`"prog_id":(${newId}|${ids[1]})\\b`));
        assert.equal(queryTc(1, 'ingress'), 0);
      });
    } finally {
      ns.destroy();
    }
  });
});

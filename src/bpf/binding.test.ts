// The native binding against the real kernel: load, constants, maps, tc/tcx attach inside a
// namespace this test creates, and BPF_PROG_TEST_RUN.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sh } from '../testing/exec.js';
import { tempBpffs, type TempBpffs } from '../testing/bpffs.js';
import { vethPair } from '../testing/netns.js';
import { BpfError } from './errors.js';
import { BpfMap } from './map.js';
import { withNetns } from './netns.js';
import { BpfObject } from './object.js';
import { TcAct } from './program.js';
import { attachTc, attachTcx, queryTc } from './tc.js';
import { defineCodec } from './codec.js';
import { type Codec, TypedMap } from './typed-map.js';

const OBJ = 'build/bpf/tests/binding_test.o';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

function loadTestObject(opts: { verdict?: number; firstByte?: number; pinDir?: string } = {}): BpfObject {
  const obj = BpfObject.open(OBJ);
  if (opts.verdict !== undefined) obj.setConstant('test_verdict', u32(opts.verdict));
  if (opts.firstByte !== undefined) obj.setConstant('test_first_byte', Buffer.from([opts.firstByte]));
  if (opts.pinDir) obj.pinMapsIn(opts.pinDir);
  obj.load();
  return obj;
}

describe('bpf object', () => {
  let fs: TempBpffs;
  before(() => {
    fs = tempBpffs();
  });
  after(() => fs.cleanup());

  test('loads, lists programs and maps, and reports the compiled map definition', () => {
    const obj = loadTestObject();
    try {
      assert.deepEqual(obj.programNames(), ['test_prog']);
      assert.ok(obj.mapNames().includes('test_counts'));
      const spec = obj.mapSpec('test_counts');
      assert.equal(spec.keySize, 4);
      assert.equal(spec.valueSize, 8);
      assert.equal(spec.maxEntries, 16);
    } finally {
      obj.close();
    }
  });

  test('writes and reads a map entry, iterates and deletes', () => {
    const obj = loadTestObject();
    try {
      const map = obj.map('test_counts');
      const value = Buffer.alloc(8);
      value.writeBigUInt64LE(42n);
      map.update(u32(7), value);
      assert.equal(map.lookup(u32(7))?.readBigUInt64LE(0), 42n);
      assert.equal(map.lookup(u32(8)), undefined);
      assert.deepEqual(
        map.keys().map((k) => k.readUInt32LE(0)),
        [7],
      );
      assert.equal(map.delete(u32(7)), true);
      assert.equal(map.delete(u32(7)), false);
      assert.equal(map.count(), 0);
    } finally {
      obj.close();
    }
  });

  test('a wrong-sized key is refused with both sizes named', () => {
    const obj = loadTestObject();
    try {
      assert.throws(
        () => obj.map('test_counts').lookup(Buffer.alloc(8)),
        /key is 8 bytes, map key size is 4/,
      );
    } finally {
      obj.close();
    }
  });

  test('constants set before load change the program; a wrong size is refused', () => {
    const obj = BpfObject.open(OBJ);
    try {
      assert.throws(
        () => obj.setConstant('test_verdict', Buffer.alloc(8)),
        /value is 8 bytes, test_verdict .* is 4 bytes/,
      );
      assert.throws(
        () => obj.setConstant('no_such_const', Buffer.alloc(4)),
        /no const volatile no_such_const/,
      );
    } finally {
      obj.close();
    }
  });

  test('pins maps by name and reopens them from bpffs with their contents', () => {
    const dir = `${fs.dir}/pins`;
    const obj = loadTestObject({ pinDir: dir });
    const value = Buffer.alloc(8);
    value.writeBigUInt64LE(5n);
    obj.map('test_counts').update(u32(1), value);
    obj.close();
    const pinned = BpfMap.openPinned(`${dir}/test_counts`);
    try {
      assert.equal(pinned.name, 'test_counts');
      assert.equal(pinned.lookup(u32(1))?.readBigUInt64LE(0), 5n);
    } finally {
      pinned.close();
    }
    // A second load reuses the pinned map instead of creating a fresh one.
    const again = loadTestObject({ pinDir: dir });
    try {
      assert.equal(again.map('test_counts').lookup(u32(1))?.readBigUInt64LE(0), 5n);
    } finally {
      again.close();
    }
  });

  test('opening a pin that does not exist says what is missing', () => {
    assert.throws(
      () => BpfMap.openPinned(`${fs.dir}/nope`),
      (err: unknown) => err instanceof BpfError && err.code === 'ENOENT' && /bpffs/.test(err.message),
    );
  });
});

describe('typed map codec', () => {
  const good: Codec<number, bigint> = defineCodec({
    mapName: 'test_counts',
    key: { c: '__u32', size: 4 },
    value: { c: '__u64', size: 8 },
    encodeKey: u32,
    decodeKey: (b) => b.readUInt32LE(0),
    encodeValue: (v) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return b;
    },
    decodeValue: (b) => b.readBigUInt64LE(0),
    columns: ['KEY', 'VALUE'],
    row: (k, v) => [String(k), String(v)],
  });

  test('round-trips typed entries', () => {
    const obj = loadTestObject();
    try {
      const m = TypedMap.fromObject(obj, good);
      m.set(3, 9n);
      assert.deepEqual(m.entries(), [[3, 9n]]);
    } finally {
      obj.close();
    }
  });

  test('a codec whose sizes disagree with the object fails to open, naming the map and both sizes', () => {
    const obj = loadTestObject();
    try {
      assert.throws(
        () => TypedMap.fromObject(obj, { ...good, valueSize: 16 }),
        (err: unknown) =>
          err instanceof BpfError &&
          err.code === 'ESIZE' &&
          /test_counts/.test(err.message) &&
          /codec 16 B/.test(err.message) &&
          /8 B/.test(err.message),
      );
    } finally {
      obj.close();
    }
  });
});

describe('BPF_PROG_TEST_RUN', () => {
  test('returns the verdict and the frame as the program left it', () => {
    const obj = loadTestObject({ verdict: TcAct.SHOT, firstByte: 0xab });
    try {
      const frame = Buffer.alloc(60, 0x11);
      const res = obj.program('test_prog').testRun({ data: frame });
      assert.equal(res.retval, TcAct.SHOT);
      assert.equal(res.data.length, 60);
      assert.equal(res.data[0], 0xab);
      assert.deepEqual(res.data.subarray(1), frame.subarray(1));
      // The program counted one frame of length 60.
      assert.equal(obj.map('test_counts').lookup(u32(60))?.readBigUInt64LE(0), 1n);
    } finally {
      obj.close();
    }
  });

  test('repeat runs the program N times and reports a duration', () => {
    const obj = loadTestObject();
    try {
      const res = obj.program('test_prog').testRun({ data: Buffer.alloc(64), repeat: 1000 });
      assert.equal(res.retval, TcAct.OK);
      assert.equal(obj.map('test_counts').lookup(u32(64))?.readBigUInt64LE(0), 1000n);
    } finally {
      obj.close();
    }
  });
});

describe('tc and tcx attach in a test namespace', () => {
  test('attaches to a veth ingress, shows in tc and bpftool, detaches only ours', () => {
    const pair = vethPair({ addrA: '10.99.0.1/24', addrB: '10.99.0.2/24' });
    const obj = loadTestObject();
    try {
      const prog = obj.program('test_prog');
      const ifindex = pair.a.ifindex(pair.devA);
      const att = withNetns(pair.a.name, () => attachTc(prog, ifindex, 'ingress', pair.devA));
      assert.ok(att.programId > 0);
      const filters = pair.a.exec('tc', ['filter', 'show', 'dev', pair.devA, 'ingress']).stdout;
      assert.match(filters, /test_prog/);
      assert.match(filters, /direct-action/);
      const net = pair.a.exec('bpftool', ['-j', 'net', 'show']).stdout;
      assert.match(net, new RegExp(`"id":${att.programId}\\b`));
      assert.equal(
        withNetns(pair.a.name, () => queryTc(ifindex, 'ingress')),
        att.programId,
      );
      withNetns(pair.a.name, () => att.detach());
      assert.doesNotMatch(
        pair.a.exec('tc', ['filter', 'show', 'dev', pair.devA, 'ingress']).stdout,
        /test_prog/,
      );
    } finally {
      obj.close();
      pair.destroy();
    }
  });

  test('tcx link attaches and disappears when detached', () => {
    const pair = vethPair();
    const obj = loadTestObject();
    try {
      const ifindex = pair.a.ifindex(pair.devA);
      const att = withNetns(pair.a.name, () => attachTcx(obj.program('test_prog'), ifindex, 'ingress'));
      // Debian's bpftool 7.1 predates tcx in `net show`; `link show` lists every link.
      const linked = () =>
        (
          JSON.parse(sh('bpftool', ['-j', 'link', 'show']).stdout) as Array<{
            prog_id: number;
            ifindex?: number;
          }>
        ).some((l) => l.prog_id === att.programId);
      assert.ok(att.programId > 0);
      assert.equal(linked(), true);
      att.detach();
      assert.equal(linked(), false);
    } finally {
      obj.close();
      pair.destroy();
    }
  });

  test('namespaces are gone after destroy', () => {
    const pair = vethPair();
    const names = [pair.a.name, pair.b.name];
    pair.destroy();
    const list = sh('ip', ['netns', 'list']).stdout;
    for (const n of names) assert.doesNotMatch(list, new RegExp(`^${n}\\b`, 'm'));
  });
});

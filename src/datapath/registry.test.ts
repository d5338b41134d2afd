// Every codec in the registry against the compiled objects' BTF: the C type it mirrors, its size
// and every member offset. Also shown: the check catches the drift it exists for — two same-size
// fields swapped, a member added in C, a wrong type — and the loader refuses an object whose maps
// and spec disagree.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BpfError, BpfObject, MapType } from '../bpf/index.js';
import { layoutProblems } from '../bpf/codec.js';
import { loadObject } from '../bpf/loader.js';
import { type TempBpffs, tempBpffs } from '../testing/bpffs.js';
import { l2ResponderV4Codec } from './maps/l2-responder.js';
import { metricsCodec } from './maps/metrics.js';
import { hostObject } from './objects/host.js';
import { datapathObjects, mapCodecs } from './registry.js';

function withObject<T>(path: string, fn: (o: BpfObject) => T): T {
  const obj = BpfObject.open(path);
  try {
    return fn(obj);
  } finally {
    obj.close();
  }
}

describe('datapath registry against BTF', () => {
  test('every codec of every object matches its map in size and every field offset', () => {
    let checked = 0;
    let ringBuffers = 0;
    for (const spec of datapathObjects) {
      withObject(spec.path, (obj) => {
        for (const codec of Object.values(spec.maps)) {
          const layout = obj.mapLayout(codec.mapName);
          if (codec.iterable === false) {
            // A ring buffer: no key or value type in BTF, sizes 0, and only that map type.
            const def = obj.mapSpec(codec.mapName);
            assert.equal(layout, undefined, `${codec.mapName} declares no key/value types`);
            assert.deepEqual([def.type, def.keySize, def.valueSize], [MapType.RINGBUF, 0, 0]);
            assert.deepEqual([codec.keySize, codec.valueSize], [0, 0]);
            ringBuffers++;
            continue;
          }
          assert.ok(layout, `${spec.path}: ${codec.mapName} has BTF key/value types`);
          assert.deepEqual(layoutProblems(codec, layout), [], `${codec.mapName} in ${spec.path}`);
          const fields =
            Object.keys(codec.key.fields ?? {}).length + Object.keys(codec.value.fields ?? {}).length;
          checked += 1 + fields;
        }
      });
    }
    // A registry that lost its maps would pass the loop above vacuously.
    assert.ok(mapCodecs().size >= 9, `registry has ${mapCodecs().size} maps`);
    assert.ok(checked >= 60, `checked ${checked} codecs and fields`);
    assert.equal(ringBuffers, 2, 'waggle_events, once in each object');
  });

  test('swapping two same-size fields of a key fails the check, naming both', () => {
    const swapped = {
      ...l2ResponderV4Codec,
      key: { ...l2ResponderV4Codec.key, fields: { ip4: 4, ifindex: 0 } },
    };
    const problems = withObject(hostObject.path, (obj) => {
      const layout = obj.mapLayout(swapped.mapName);
      assert.ok(layout);
      return layoutProblems(swapped, layout);
    });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(
      problems[0] ?? '',
      /key struct l2_responder_v4_key: member ip4 at offset 0 in C, 4 in the codec/,
    );
    assert.match(problems[1] ?? '', /member ifindex at offset 4 in C, 0 in the codec/);
  });

  test('a member missing from the codec, a bitfield moved, and a wrong C type are each reported', () => {
    const { line: _line, ...withoutLine } = metricsCodec.key.fields ?? {};
    const drifted = {
      ...metricsCodec,
      key: { ...metricsCodec.key, fields: { ...withoutLine, dir: { bitOffset: 9, bitSize: 2 } } },
      value: { ...metricsCodec.value, c: 'struct metrics_stats' },
    };
    const problems = withObject(hostObject.path, (obj) => {
      const layout = obj.mapLayout(drifted.mapName);
      assert.ok(layout);
      return layoutProblems(drifted, layout);
    });
    assert.ok(
      problems.some((p) => /member dir at offset bit 8 width 2 in C, bit 9 width 2 in the codec/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /member line \(offset 2\) is not in the codec/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) =>
        /codec mirrors struct metrics_stats, the map's C type is struct metrics_value/.test(p),
      ),
    );
  });

  test("the loader refuses a spec that leaves out one of the object's maps, and opening a drifted codec fails", () => {
    const fs: TempBpffs = tempBpffs();
    try {
      const { metrics: _m, ...fewer } = hostObject.maps;
      assert.throws(
        () => loadObject({ ...hostObject, maps: fewer }, { pinDir: `${fs.dir}/fewer` }),
        (err: unknown) =>
          err instanceof BpfError &&
          err.code === 'ELAYOUT' &&
          /waggle_metrics is in the object but not in the spec/.test(err.message),
      );
      const swapped = {
        ...l2ResponderV4Codec,
        key: { ...l2ResponderV4Codec.key, fields: { ip4: 4, ifindex: 0 } },
      };
      assert.throws(
        () =>
          loadObject(
            { ...hostObject, maps: { ...hostObject.maps, responder: swapped } },
            { pinDir: `${fs.dir}/swapped` },
          ),
        (err: unknown) => err instanceof BpfError && err.code === 'ELAYOUT' && /member ip4/.test(err.message),
      );
    } finally {
      fs.cleanup();
    }
  });
});

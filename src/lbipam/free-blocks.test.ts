// The free-space index and address arithmetic under the allocator.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAddr, parseAddr, parseCidr } from './addr.js';
import { FreeBlocks } from './free-blocks.js';

describe('FreeBlocks', () => {
  it('allocates sequentially, reuses the smallest hole first, and merges frees', () => {
    const f = new FreeBlocks(0n, 9n);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map(() => f.allocAny()),
      [0n, 1n, 2n, 3n, 4n, 5n],
    );
    f.release(1n); // hole of 1
    f.release(3n);
    f.release(4n); // hole of 2
    assert.equal(f.fragments, 3);
    assert.equal(f.allocAny(), 1n);
    assert.equal(f.allocAny(), 3n);
    assert.equal(f.release(3n), true);
    assert.equal(f.release(3n), false, 'double free is refused');
    assert.equal(f.alloc(7n), true);
    assert.equal(f.alloc(7n), false, 'in use');
    assert.equal(f.alloc(10n), false, 'outside the range');
    for (const ip of [0n, 1n, 2n, 5n, 7n]) f.release(ip);
    assert.equal(f.fragments, 1, 'everything merged back into one block');
    assert.equal(f.freeCount, 10n);
  });

  it('is full after every address is taken', () => {
    const f = new FreeBlocks(5n, 6n);
    f.allocAny();
    f.allocAny();
    assert.equal(f.allocAny(), undefined);
    assert.equal(f.freeCount, 0n);
  });
});

describe('addresses', () => {
  it('parses and prints v4 and v6 canonically', () => {
    for (const [text, canon] of [
      ['10.0.10.0', '10.0.10.0'],
      ['2001:DB8:0:0:1::', '2001:db8:0:0:1::'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:10.0.0.1', '::ffff:a00:1'],
      ['2001:db8::', '2001:db8::'],
      ['::', '::'],
    ]) {
      const a = parseAddr(text as string);
      assert.ok(a, text);
      assert.equal(formatAddr(a.family, a.value), canon);
    }
    assert.equal(parseAddr('10.0.10.256'), undefined);
  });

  it('masks a misaligned CIDR and names what is wrong', () => {
    const r = parseCidr('192.0.2.170/27');
    assert.ok(r.ok);
    assert.equal(formatAddr(4, r.range.from), '192.0.2.160');
    assert.equal(formatAddr(4, r.range.to), '192.0.2.191');
    assert.deepEqual(parseCidr('2001:db8::/129'), { ok: false, error: 'prefix length 129 > 128' });
  });
});

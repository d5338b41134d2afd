// Names: FNV-32a against its published test vectors, the safe alphabet's encoding (the seed's
// `nginx-96b9d695` is the encoding of hash 52658251), and a hash that ignores key order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fnv32a, generatedName, podTemplateHash, randomSuffix, SAFE_ALPHABET, safeEncode } from './names.js';

test('FNV-1a 32 matches the reference vectors', () => {
  assert.equal(fnv32a(''), 0x811c9dc5);
  assert.equal(fnv32a('a'), 0xe40c292c);
  assert.equal(fnv32a('foobar'), 0xbf9cf968);
});

test("safe encoding maps decimal digits as apimachinery's SafeEncodeString does", () => {
  assert.equal(safeEncode('52658251'), '96b9d695');
  assert.equal(safeEncode('0123456789'), '456789bcdf');
});

test('the pod-template-hash is stable, order-blind and in the safe alphabet', () => {
  const a = podTemplateHash({
    metadata: { labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'n', image: 'nginx' }] },
  });
  const b = podTemplateHash({
    spec: { containers: [{ image: 'nginx', name: 'n' }] },
    metadata: { labels: { app: 'nginx' } },
  });
  assert.equal(a, b);
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(podTemplateHash({ x: 1 }), podTemplateHash({ x: 2 }));
  assert.notEqual(podTemplateHash({ x: 1 }), podTemplateHash({ x: 1 }, 1), 'collisionCount changes the hash');
});

test('generated names: five safe characters after the prefix, prefix cut to fit 63', () => {
  assert.match(generatedName('nginx-96b9d695'), /^nginx-96b9d695-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(generatedName('x'.repeat(80)).length, 63);
  assert.equal(
    randomSuffix(5, () => 0),
    'bbbbb',
  );
  assert.equal(
    randomSuffix(3, () => SAFE_ALPHABET.length - 1),
    '999',
  );
});

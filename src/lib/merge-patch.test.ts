// JSON merge patch against the examples of RFC 7386 appendix A, and JSON patch (RFC 6902)
// against the operations and failures of its section 4 and appendix A.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';
import { mergePatch } from './merge-patch.js';

test('RFC 7386 appendix A: every example', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases)
    assert.deepEqual(mergePatch(target, patch), want, JSON.stringify(patch));
});

test('merge patch does not modify its inputs', () => {
  const target = { spec: { type: 'ClusterIP', ports: [{ port: 80 }] } };
  const patch = { spec: { type: 'NodePort' } };
  const out = mergePatch(target, patch) as typeof target;
  assert.equal(target.spec.type, 'ClusterIP');
  assert.equal(out.spec.type, 'NodePort');
  assert.deepEqual(out.spec.ports, [{ port: 80 }]);
});

test('RFC 6902: add, remove, replace, move, copy, test and pointer escapes', () => {
  const doc = {
    spec: { replicas: 1, list: ['a', 'c'] },
    metadata: { annotations: { 'a/b': 'x', 'm~n': 'y' } },
  };
  const out = applyJsonPatch(doc, [
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/spec/list/1', value: 'b' },
    { op: 'add', path: '/spec/list/-', value: 'd' },
    { op: 'remove', path: '/metadata/annotations/a~1b' },
    { op: 'copy', from: '/metadata/annotations/m~0n', path: '/metadata/annotations/copy' },
    { op: 'move', from: '/spec/list/0', path: '/spec/first' },
    { op: 'test', path: '/spec/replicas', value: 3 },
  ]);
  assert.deepEqual(out, {
    spec: { replicas: 3, list: ['b', 'c', 'd'], first: 'a' },
    metadata: { annotations: { 'm~n': 'y', copy: 'y' } },
  });
  assert.equal(doc.spec.replicas, 1, 'the input is untouched');
});

test('RFC 6902: a failing operation fails the whole patch, naming its index', () => {
  const doc = { spec: { replicas: 1, list: ['a'] } };
  const fails: [unknown, RegExp][] = [
    [
      [{ op: 'test', path: '/spec/replicas', value: 2 }],
      /^operation 0 \(test\): "\/spec\/replicas" is not the tested value$/,
    ],
    [
      [{ op: 'replace', path: '/spec/nope', value: 1 }],
      /operation 0 \(replace\): path "\/spec\/nope" does not exist/,
    ],
    [[{ op: 'add', path: '/spec/list/5', value: 1 }], /index 5 is out of range/],
    [[{ op: 'remove', path: 'spec' }], /is not a JSON pointer/],
    [
      [
        { op: 'add', path: '/a', value: 1 },
        { op: 'frob', path: '/a' },
      ],
      /^operation 1 \(frob\): op must be/,
    ],
    [[{ op: 'add', path: '/a' }], /"value" is required/],
  ];
  for (const [ops, message] of fails)
    assert.throws(
      () => applyJsonPatch(doc, ops),
      (err: Error) => err instanceof JsonPatchError && message.test(err.message),
    );
  assert.throws(() => applyJsonPatch(doc, { op: 'add' }), /a JSON patch is a list of operations/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, errorMessage, WaggleError } from './errors.js';

test('errorMessage takes an Error message and stringifies anything else', () => {
  assert.equal(errorMessage(new Error('boom')), 'boom');
  assert.equal(errorMessage('plain'), 'plain');
  assert.equal(errorMessage(42), '42');
  assert.equal(errorMessage(undefined), 'undefined');
  assert.equal(errorLine(new Error('first\nsecond')), 'first');
  assert.equal(errorLine('one line'), 'one line');
});

test('WaggleError reads op object: field: message (hint), and keeps each part', () => {
  const full = new WaggleError({
    code: 'EINVAL',
    op: 'parse',
    object: 'pool/lb',
    field: 'spec.blocks[0].cidr',
    message: 'prefix length 33 > 32',
    hint: 'IPv4 prefixes are 0..32',
  });
  assert.equal(
    full.message,
    'parse pool/lb: spec.blocks[0].cidr: prefix length 33 > 32 (IPv4 prefixes are 0..32)',
  );
  assert.equal(full.code, 'EINVAL');
  assert.equal(full.field, 'spec.blocks[0].cidr');
  assert.equal(full.detail, 'prefix length 33 > 32');
  assert.ok(full instanceof Error);

  const bare = new WaggleError({
    code: 'X',
    op: 'run',
    object: 'ip link',
    message: 'exited 1',
    cause: 'why',
  });
  assert.equal(bare.message, 'run ip link: exited 1');
  assert.equal(bare.hint, undefined);
  assert.equal(bare.cause, 'why');
});

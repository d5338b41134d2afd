// Endpoint IDs: lowest free first, restored IDs claimed back, conflicts refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EndpointIds, MAX_ENDPOINT_ID } from './ids.js';

describe('EndpointIds', () => {
  test('allocates 1, 2, 3 … and reuses the lowest released ID first', () => {
    const ids = new EndpointIds();
    assert.deepEqual([ids.allocate(), ids.allocate(), ids.allocate(), ids.allocate()], [1, 2, 3, 4]);
    ids.release(3);
    ids.release(2);
    assert.equal(ids.allocate(), 2);
    assert.equal(ids.allocate(), 3);
    assert.equal(ids.allocate(), 5);
    assert.equal(ids.size, 5);
  });

  test('a claimed ID is skipped by allocate; claiming it twice throws, naming the ID', () => {
    const ids = new EndpointIds();
    ids.claim(1);
    ids.claim(3);
    assert.equal(ids.allocate(), 2);
    assert.equal(ids.allocate(), 4);
    assert.throws(() => ids.claim(3), /^Error: endpoint ID 3 is already in use$/);
    assert.throws(() => ids.claim(2), /endpoint ID 2 is already in use/);
  });

  test('a released ID can be claimed again; releasing an unused ID changes nothing', () => {
    const ids = new EndpointIds();
    ids.claim(7);
    ids.release(7);
    ids.claim(7);
    ids.release(99);
    assert.equal(ids.size, 1);
  });

  test(`all ${MAX_ENDPOINT_ID} in use: the error says so, and a release makes room`, () => {
    const ids = new EndpointIds();
    for (let i = 1; i <= MAX_ENDPOINT_ID; i++) assert.equal(ids.allocate(), i);
    assert.throws(() => ids.allocate(), /^Error: no free endpoint ID \(all 4095 in use\)$/);
    ids.release(1000);
    assert.equal(ids.allocate(), 1000);
  });
});

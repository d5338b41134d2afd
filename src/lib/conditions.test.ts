import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findCondition,
  isStatusConditionTrue,
  removeCondition,
  rfc3339Seconds,
  type StatusCondition,
  setStatusCondition,
} from './conditions.js';

const T0 = new Date('2026-12-01T22:30:00.999Z');
const T1 = new Date('2026-12-01T22:31:00Z');

test('rfc3339Seconds drops the fraction', () => {
  assert.equal(rfc3339Seconds(T0), '2026-12-01T22:30:00Z');
});

test('a new condition is appended with now as lastTransitionTime', () => {
  const list: StatusCondition[] = [{ type: 'Other', status: 'True', lastTransitionTime: 'x' }];
  assert.equal(
    setStatusCondition(list, { type: 'Ready', status: 'False', reason: 'r', message: 'm' }, T0),
    true,
  );
  assert.deepEqual(list[1], {
    type: 'Ready',
    status: 'False',
    reason: 'r',
    message: 'm',
    lastTransitionTime: '2026-12-01T22:30:00Z',
  });
});

test('lastTransitionTime moves only with status; other fields update in place', () => {
  const list: StatusCondition[] = [];
  setStatusCondition(list, { type: 'Ready', status: 'False', reason: 'a', observedGeneration: 1 }, T0);
  const stored = list[0];
  assert.equal(
    setStatusCondition(list, { type: 'Ready', status: 'False', reason: 'b', observedGeneration: 2 }, T1),
    true,
  );
  assert.deepEqual(list[0], {
    type: 'Ready',
    status: 'False',
    reason: 'b',
    observedGeneration: 2,
    lastTransitionTime: '2026-12-01T22:30:00Z',
  });
  assert.notEqual(list[0], stored, 'replaced, not mutated');
  assert.equal(stored?.reason, 'a');
  assert.equal(
    setStatusCondition(list, { type: 'Ready', status: 'True', reason: 'b', observedGeneration: 2 }, T1),
    true,
  );
  assert.equal(list[0]?.lastTransitionTime, '2026-12-01T22:31:00Z');
  assert.equal(list.length, 1);
});

test('no change reports false and leaves the element as it was', () => {
  const list: StatusCondition[] = [
    {
      type: 'Ready',
      status: 'True',
      reason: '',
      message: '',
      observedGeneration: 0,
      lastTransitionTime: 't',
    },
  ];
  const before = list[0];
  // Missing reason/message/observedGeneration equal their zero values, as in Go.
  assert.equal(setStatusCondition(list, { type: 'Ready', status: 'True' }, T1), false);
  assert.equal(list[0], before);
  assert.equal(
    setStatusCondition(list, { type: 'Ready', status: 'True', message: 'now different' }, T1),
    true,
  );
});

test('a given lastTransitionTime is used on a status change; a missing stored one is filled', () => {
  const list: StatusCondition[] = [{ type: 'A', status: 'False' }];
  setStatusCondition(list, { type: 'A', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' }, T1);
  assert.equal(list[0]?.lastTransitionTime, '2020-01-01T00:00:00Z');
  const bare: StatusCondition[] = [{ type: 'A', status: 'True' }];
  setStatusCondition(bare, { type: 'A', status: 'True', reason: 'x' }, T1);
  assert.equal(bare[0]?.lastTransitionTime, '2026-12-01T22:31:00Z');
});

test('find, remove and isStatusConditionTrue', () => {
  const list: StatusCondition[] = [
    { type: 'A', status: 'True' },
    { type: 'B', status: 'False' },
  ];
  assert.equal(findCondition(list, 'B')?.status, 'False');
  assert.equal(findCondition(undefined, 'B'), undefined);
  assert.equal(isStatusConditionTrue(list, 'A'), true);
  assert.equal(isStatusConditionTrue(list, 'B'), false);
  assert.equal(isStatusConditionTrue(list, 'C'), false);
  assert.equal(removeCondition(list, 'A'), true);
  assert.equal(removeCondition(list, 'A'), false);
  assert.deepEqual(list, [{ type: 'B', status: 'False' }]);
});

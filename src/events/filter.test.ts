import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord, type DatapathEvent } from './decode.js';
import { filterFromQuery, filterToQuery, matches, parseFilter } from './filter.js';
import { dropRecord, referenceSyn, referenceTrace, traceRecord } from './frames.test-helper.js';

const ev = (rec: Buffer): DatapathEvent => {
  const r = decodeRecord(rec);
  assert.ok(r.ok && r.event.kind !== 'unknown');
  return r.event;
};
// source → dstId: trace 10 → 20, drop 30 → 10
const trace = ev(traceRecord({ ...referenceTrace, source: 10, dstId: 20 }, referenceSyn));
const drop = ev(
  dropRecord(
    { subtype: 133, source: 30, hash: 1, srcLabel: 0, dstLabel: 0, dstId: 10, line: 1, file: 2, ifindex: 1 },
    referenceSyn,
  ),
);

function pick(raw: Parameters<typeof parseFilter>[0]): string[] {
  const r = parseFilter(raw);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return [trace, drop].filter((e) => matches(r.filter, e)).map((e) => `${e.kind} ${e.source}->${e.dstId}`);
}

describe('event filters', () => {
  test('--type, repeatable; none means all', () => {
    assert.deepEqual(pick({}), ['trace 10->20', 'drop 30->10']);
    assert.deepEqual(pick({ type: ['drop'] }), ['drop 30->10']);
    assert.deepEqual(pick({ type: ['trace'] }), ['trace 10->20']);
    assert.deepEqual(pick({ type: ['trace', 'drop'] }), ['trace 10->20', 'drop 30->10']);
  });

  test('--related-to is source or destination; --from the source; --to the destination; all must hold', () => {
    assert.deepEqual(pick({ 'related-to': '10' }), ['trace 10->20', 'drop 30->10']);
    assert.deepEqual(pick({ 'related-to': '20' }), ['trace 10->20']);
    assert.deepEqual(pick({ from: '10' }), ['trace 10->20']);
    assert.deepEqual(pick({ to: '10' }), ['drop 30->10']);
    assert.deepEqual(pick({ from: '30', to: '10' }), ['drop 30->10']);
    assert.deepEqual(pick({ from: '10', type: ['drop'] }), []);
  });

  test('bad values are one-line errors naming the option', () => {
    assert.deepEqual(parseFilter({ type: ['debug'] }), {
      ok: false,
      error: 'type "debug": not one of drop, trace',
    });
    assert.deepEqual(parseFilter({ from: '-1' }), {
      ok: false,
      error: 'from "-1": not an endpoint ID (a non-negative integer)',
    });
    assert.equal(parseFilter({ 'related-to': 'x' }).ok, false);
  });

  test('a filter survives the trip through the query string', () => {
    const r = parseFilter({ type: ['drop', 'trace'], 'related-to': '5', to: '7' });
    assert.ok(r.ok);
    const back = filterFromQuery(new URLSearchParams(filterToQuery(r.filter).toString()));
    assert.deepEqual(back, r);
  });
});

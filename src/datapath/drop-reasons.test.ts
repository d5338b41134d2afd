// The one drop-reason table: every reason waggle's datapath emits reads as Cilium prints it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropReasonText, dropReasonTextExt } from './drop-reasons.js';
import { DropReason } from './maps/drops.js';

describe('drop reason texts', () => {
  test('every reason in enum drop_reason has a monitor text, not its number', () => {
    const missing = Object.entries(DropReason)
      .filter(([, code]) => dropReasonText(code) === String(code))
      .map(([name]) => name);
    assert.deepEqual(missing, []);
  });

  test("Cilium's strings for the codes waggle emits, 0 as Success, unknown codes as numbers", () => {
    assert.equal(dropReasonText(DropReason.DROP_INVALID_SIP), 'Invalid source ip');
    assert.equal(dropReasonText(DropReason.DROP_UNSUPPORTED_L2), 'Unsupported L2 protocol');
    assert.equal(dropReasonText(0), 'Success');
    assert.equal(dropReasonText(254), '254');
  });

  test('an extended error is appended after a comma', () => {
    assert.equal(dropReasonTextExt(DropReason.DROP_INVALID, 0), 'Invalid packet');
    assert.equal(dropReasonTextExt(DropReason.DROP_INVALID, 3), 'Invalid packet, 3');
  });
});

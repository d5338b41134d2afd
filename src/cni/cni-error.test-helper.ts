// For the plugin's unit tests: the CniError a call throws, as {code, msg}; fails if it throws
// something else or nothing.
import assert from 'node:assert/strict';
import { CniError } from './errors.js';

export function failure(fn: () => unknown): { code: number; msg: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CniError, `threw ${String(err)}`);
    return { code: err.code, msg: err.message };
  }
  assert.fail('did not throw');
}

// `waggle logs --tail N`: the last N lines, as kubectl prints them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastLines } from './exec.js';

test('lastLines: the last n lines with their newline, all for -1, none for 0', () => {
  const log = 'a\nb\nc\n';
  assert.equal(lastLines(log, 2), 'b\nc\n');
  assert.equal(lastLines(log, 5), log);
  assert.equal(lastLines(log, -1), log);
  assert.equal(lastLines(log, 0), '');
  assert.equal(lastLines('a\nb\nc', 1), 'c', 'an unfinished last line counts');
});

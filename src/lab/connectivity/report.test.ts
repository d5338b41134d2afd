// The pure parts of the connectivity test: how a failure is worded, what counts as an unexpected
// drop, and that skipped tests are never counted as successful.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { curlError } from './actions.js';
import { unexpectedGrowth } from './drops.js';
import { resultLines, summaryLines } from './report.js';

const ran = (stderr: string, code = 7) => ({ code, stdout: '', stderr, shown: 'curl …' });

test('curlError adds the connect(2) error curl -v printed, in both of its wordings', () => {
  assert.equal(
    curlError(
      ran(
        '*   Trying 10.96.0.2:80...\n* Immediate connect fail for 10.96.0.2: Connection refused\n' +
          "curl: (7) Failed to connect to 10.96.0.2 port 80 after 0 ms: Couldn't connect to server\n",
      ),
    ),
    "curl: (7) Failed to connect to 10.96.0.2 port 80 after 0 ms: Couldn't connect to server (Immediate connect fail for 10.96.0.2: Connection refused)",
  );
  assert.match(
    curlError(ran('* connect to 1.2.3.4 port 1 failed: Connection refused\ncurl: (7) Failed to connect\n')),
    /\(connect to 1\.2\.3\.4 port 1 failed: Connection refused\)$/,
  );
  assert.equal(
    curlError(ran('curl: (28) Connection timed out after 3001 milliseconds\n', 28)),
    'curl: (28) Connection timed out after 3001 milliseconds',
  );
  assert.equal(curlError(ran('', 3)), 'exit code 3');
});

test('unexpectedGrowth: only drop reasons off the expected list that grew', () => {
  const before = new Map([
    ['Stale or unroutable IP (egress)', 1n],
    ['FIB lookup failed (egress)', 2n],
  ]);
  const after = new Map([
    ['Stale or unroutable IP (egress)', 9n],
    ['FIB lookup failed (egress)', 2n],
    ['Invalid packet (ingress)', 3n],
  ]);
  assert.deepEqual(unexpectedGrowth('node-0', before, after), [
    'node-0: Invalid packet (ingress) grew by 3 packets',
  ]);
  assert.deepEqual(unexpectedGrowth('node-1', before, { error: 'node-1: down' }), ['node-1: down']);
});

test('the report counts skipped tests apart and lists the failed ones', () => {
  const ok = { ok: true, shown: '', detail: '' };
  const bad = { ok: false, shown: 'waggle exec x -- curl y', detail: 'curl: (7) refused' };
  const results = [
    { name: 'a', status: 'passed' as const, steps: [{ desc: 'x → y', outcome: ok }] },
    { name: 'b', status: 'failed' as const, steps: [{ desc: 'x → z', outcome: bad }] },
    { name: 'c', status: 'skipped' as const, steps: [], skipReason: 'not built' },
  ];
  const lines = summaryLines(results, 1234);
  assert.equal(lines[2], '❌ 1/2 tests successful (1 skipped) in 1.2 s');
  assert.deepEqual(lines.slice(3), ['❌ 1 tests failed:', '  - b']);
  assert.deepEqual(resultLines(results[1] as (typeof results)[1]), [
    '❌ [b]',
    '   ❌ x → z',
    '      command: waggle exec x -- curl y',
    '      error: curl: (7) refused',
  ]);
  assert.deepEqual(resultLines(results[2] as (typeof results)[2]), ['⏭️  [c] skipped: not built']);
});

// firstSyns on tcpdump -tt -S lines: one new connection per (client, ISN), retransmissions not
// counted again, other destinations ignored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstSyns } from './tcpdump.js';

test('firstSyns: the first SYN of each connection, by client and initial sequence number', () => {
  const lines = [
    '1796221000.100000 IP 10.200.1.5.40000 > 10.200.2.7.80: Flags [S], seq 111, win 64240, length 0',
    '1796221000.200000 IP 10.200.1.5.40001 > 10.200.2.7.80: Flags [S], seq 222, win 64240, length 0',
    // 40000's SYN again, 1 s later: a retransmission, not a new connection
    '1796221001.100000 IP 10.200.1.5.40000 > 10.200.2.7.80: Flags [S], seq 111, win 64240, length 0',
    // the same port with a new ISN: a new connection reusing the tuple
    '1796221001.500000 IP 10.200.1.5.40000 > 10.200.2.7.80: Flags [S], seq 333, win 64240, length 0',
    '1796221001.600000 IP 10.200.1.5.40002 > 10.200.2.8.80: Flags [S], seq 444, win 64240, length 0',
  ];
  assert.deepEqual(firstSyns(lines, '10.200.2.7'), [1796221000100, 1796221000200, 1796221001500]);
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { withNetns } from '../bpf/index.js';
import { vethPair } from '../testing/netns.js';
import { garpFrame, sendGarp } from './garp.js';

describe('gratuitous ARP', () => {
  it('builds an unsolicited ARP reply to broadcast, padded to 60 bytes', () => {
    const f = garpFrame('02:00:00:00:00:0a', '10.0.10.0');
    assert.equal(f.length, 60);
    assert.equal(f.subarray(0, 14).toString('hex'), 'ffffffffffff' + '02000000000a' + '0806');
    assert.equal(
      f.subarray(14, 42).toString('hex'),
      '0001' + '0800' + '06' + '04' + '0002' + '02000000000a' + '0a000a00' + 'ffffffffffff' + '0a000a00',
    );
    assert.ok(
      f.subarray(42).every((b) => b === 0),
      'zero padding',
    );
    assert.throws(() => garpFrame('02:00', '10.0.10.0'), /MAC "02:00"/);
    assert.throws(() => garpFrame('02:00:00:00:00:0a', '10.0.300.1'), /IP "10.0.300.1"/);
  });

  it('is seen by tcpdump on the peer as "ARP, Reply … is-at …, length 46", count times', async () => {
    // No IPv4 address on either end: the AF_PACKET socket needs none.
    const pair = vethPair({ macA: '02:00:00:00:00:0a' });
    const tcpdump = spawn(
      'ip',
      ['netns', 'exec', pair.b.name, 'tcpdump', '-n', '-l', '-c', '3', '-i', pair.devB, 'arp'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      tcpdump.stdout.on('data', (d) => {
        out += d;
      });
      const listening = new Promise<void>((resolve) => {
        tcpdump.stderr.on('data', (d) => {
          if (String(d).includes('listening on')) resolve();
        });
      });
      await Promise.race([listening, new Promise((r) => setTimeout(r, 5000))]);
      const ifindex = pair.a.ifindex(pair.devA);
      const started = Date.now();
      const rest = withNetns(pair.a.name, () =>
        sendGarp({ ifindex, iface: pair.devA, mac: '02:00:00:00:00:0a' }, '10.0.10.0', {
          count: 3,
          intervalMs: 100,
        }),
      );
      assert.equal(await rest, 3);
      assert.ok(Date.now() - started >= 200, 'packets spaced by the interval');
      const exited = new Promise((r) => tcpdump.once('exit', r));
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      const lines = out.trim().split('\n').filter(Boolean);
      assert.equal(lines.length, 3, out);
      for (const l of lines) assert.match(l, /ARP, Reply 10\.0\.10\.0 is-at 02:00:00:00:00:0a, length 46/);
    } finally {
      if (tcpdump.exitCode === null && tcpdump.pid) process.kill(tcpdump.pid, 'SIGKILL');
      pair.destroy();
    }
  });
});

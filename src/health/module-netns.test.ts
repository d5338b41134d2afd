// The health module probing a real namespace pair: node "self" has a host address that answers
// ICMP and a health IP with an HTTP server on 4240 (started here, inside namespace b); node
// "gone" has addresses nobody holds. Expect 1/2 reachable, with each failure saying why.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { vethPair } from '../testing/netns.js';
import type { HealthStatus } from './health-status.js';
import { formatHealthStatus } from './format.js';

const helper = fileURLToPath(new URL('./module-netns.test-helper.js', import.meta.url));
const SERVER = `require('node:http').createServer((q,s)=>{s.writeHead(q.url==='/hello'?200:404).end()})
  .listen(4240,'10.231.0.3',()=>console.log('ready'));setTimeout(()=>process.exit(0),60000);`;

let pair: ReturnType<typeof vethPair>;
let server: ChildProcess | undefined;

before(async () => {
  pair = vethPair({ addrA: '10.231.0.1/24', addrB: '10.231.0.2/24' });
  pair.b.ip('addr', 'add', '10.231.0.3/24', 'dev', pair.devB);
  server = spawn('ip', ['netns', 'exec', pair.b.name, process.execPath, '-e', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([
    once(server.stdout as NodeJS.ReadableStream, 'data'),
    new Promise((_, rej) => setTimeout(() => rej(new Error('HTTP server in netns: not ready in 5s')), 5000)),
  ])) as [Buffer];
  assert.match(String(line), /ready/);
});

after(() => {
  if (server?.pid !== undefined && server.exitCode === null) server.kill('SIGKILL');
  pair?.destroy();
});

const node = (name: string, host: string, health: string) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNode',
  metadata: { name },
  spec: { addresses: [{ type: 'InternalIP', ip: host }], health: { ipv4: health } },
});

test('one reachable node, one whose addresses do not exist: 1/2 with the reasons', async () => {
  const nodes = [node('self', '10.231.0.2', '10.231.0.3'), node('gone', '10.231.0.9', '10.231.0.10')];
  const r = await pair.a.execAsync(process.execPath, [helper, JSON.stringify(nodes), 'self'], 20_000);
  assert.equal(r.code, 0, r.stderr);
  const { status, roundMs } = JSON.parse(r.stdout) as { status: HealthStatus; roundMs: number };
  process.stdout.write(`first round in ${roundMs}ms\n${formatHealthStatus(status)}`);
  assert.equal(status.reachable, 1);
  assert.equal(status.total, 2);
  assert.match(status.lastProbe ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const [gone, self] = status.nodes;
  assert.equal(self?.name, 'self');
  assert.equal(self.host.icmp.ok, true);
  assert.ok((self.host.icmp.rttMs ?? 0) > 0);
  // Nothing listens on the host address: shown, but it does not make the node unreachable.
  assert.equal(self.host.http.ok, false);
  assert.match(self.host.http.error ?? '', /GET http:\/\/10\.231\.0\.2:4240\/hello: .*ECONNREFUSED/);
  assert.equal(self.endpoint?.http.ok, true);
  assert.ok((self.endpoint?.http.rttMs ?? 0) > 0);
  assert.equal(self.endpoint?.icmp.ok, true);
  assert.equal(gone?.name, 'gone');
  assert.equal(gone.host.icmp.ok, false);
  assert.match(gone.host.icmp.error ?? '', /^ping 10\.231\.0\.9: /);
  assert.equal(gone.endpoint?.http.ok, false);
  assert.match(
    gone.endpoint?.http.error ?? '',
    /10\.231\.0\.10:4240\/hello: (no answer within 1000ms|.*EHOSTUNREACH)/,
  );
  // Eight probes, four at a time, each at most about a second.
  assert.ok(roundMs < 5000, `round took ${roundMs}ms`);
});

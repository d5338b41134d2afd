// The health endpoint's responder (Cilium's cilium-health-responder): `GET /hello` → 200 on TCP
// 4240, inside the health endpoint's own network namespace, which this process holds (it is
// started under `unshare --net`). It exits when the agent that started it is gone, taking the
// namespace — and with it the veth pair — away, so a killed agent never leaves one behind.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 4240);
const parent = Number(process.argv[3] ?? process.ppid);

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/hello') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello\n');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
});
server.listen(port, '0.0.0.0');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Bounded: checks once a second for as long as the agent lives.
const watch = setInterval(() => {
  if (process.ppid !== parent || !alive(parent)) process.exit(0);
}, 1000);
watch.unref();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));

// The lab's stand-in for traefik/whoami (https://github.com/traefik/whoami): an HTTP server that
// answers every request with the host name, the addresses of every interface, the peer's
// address and the request as it arrived, one item per line as whoami prints them:
//   Hostname: webpod1 / IP: 127.0.0.1 / IP: 10.200.1.7 / RemoteAddr: 10.200.1.9:41234 /
//   GET / HTTP/1.1 / Host: … / the other headers.
// Flags and environment as whoami's: --port or WHOAMI_PORT_NUMBER (default 80), --name or
// WHOAMI_NAME (adds a "Name:" line). Run by the lab kubelet for images traefik/whoami*.
import { createServer, type IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export function whoamiBody(req: IncomingMessage, name: string | undefined): string {
  const lines: string[] = [];
  if (name) lines.push(`Name: ${name}`);
  lines.push(`Hostname: ${hostname()}`);
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) lines.push(`IP: ${a.address}`);
  const remote = req.socket.remoteAddress ?? '';
  lines.push(
    `RemoteAddr: ${remote.includes(':') && !remote.startsWith('::ffff:') ? `[${remote}]` : remote.replace(/^::ffff:/, '')}:${req.socket.remotePort}`,
  );
  const request: string[] = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  // Host first, then the rest as received (Go's Request.Write puts Host first too).
  const raw = req.rawHeaders;
  const host = req.headers.host;
  if (host) request.push(`Host: ${host}`);
  for (let i = 0; i + 1 < raw.length; i += 2)
    if ((raw[i] as string).toLowerCase() !== 'host') request.push(`${raw[i]}: ${raw[i + 1]}`);
  // whoami prints its own lines with Println and the request with Request.Write (CRLF).
  return `${lines.join('\n')}\n${request.join('\r\n')}\r\n\r\n`;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

function main(): void {
  const port = Number(flag('port') ?? process.env.WHOAMI_PORT_NUMBER ?? 80);
  const name = flag('name') ?? process.env.WHOAMI_NAME;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(whoamiBody(req, name));
  });
  server.listen(port, () => process.stdout.write(`Starting up on port ${port}\n`));
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.on(sig, () => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
}

if (process.argv[1]?.endsWith('whoami.js')) main();

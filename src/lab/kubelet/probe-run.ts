// Running one readiness probe inside the pod's network namespace, with the probe's timeout:
// httpGet with curl (success is a status in 200..399, as pkg/probe/http does), tcpSocket as a
// bare connect, exec as the command in the container's namespaces and cgroup (exit 0).
// The default host is the pod's IP, as the kubelet probes it.
import { spawn } from 'node:child_process';
import type { Container, Probe } from '../../api/index.js';
import { inCgroupArgv } from './cgroup.js';
import { inSandboxArgv, type SandboxPaths } from './sandbox.js';

export function probePort(c: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** The argv that runs the probe; undefined when a named port does not resolve. */
export function probeArgv(c: Container, probe: Probe, sb: SandboxPaths, podIP: string): string[] | undefined {
  const secs = String(probe.timeoutSeconds);
  if (probe.httpGet) {
    const port = probePort(c, probe.httpGet.port);
    if (port === undefined) return undefined;
    const host = probe.httpGet.host ?? podIP;
    const scheme = probe.httpGet.scheme.toLowerCase();
    const headers = (probe.httpGet.httpHeaders ?? []).flatMap((h) => ['-H', `${h.name}: ${h.value}`]);
    const url = `${scheme}://${host}:${port}${probe.httpGet.path.startsWith('/') ? '' : '/'}${probe.httpGet.path}`;
    return inSandboxArgv(sb, [
      ...['curl', '-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', secs],
      ...['-A', 'kube-probe/1.30', ...headers, url],
    ]);
  }
  if (probe.tcpSocket) {
    const port = probePort(c, probe.tcpSocket.port);
    if (port === undefined) return undefined;
    const host = probe.tcpSocket.host ?? podIP;
    return inSandboxArgv(sb, ['timeout', secs, 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)]);
  }
  if (probe.exec) return inCgroupArgv(sb.cgroup, inSandboxArgv(sb, ['timeout', secs, ...probe.exec.command]));
  return undefined;
}

/** Runs the probe; true on success. Never throws. */
export function runProbe(c: Container, probe: Probe, sb: SandboxPaths, podIP: string): Promise<boolean> {
  const argv = probeArgv(c, probe, sb, podIP);
  if (!argv) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), probe.timeoutSeconds * 1000 + 1000);
    child.on('error', () => resolve(false));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return resolve(false);
      if (probe.httpGet) {
        const status = Number(out.trim());
        return resolve(status >= 200 && status < 400);
      }
      resolve(true);
    });
  });
}

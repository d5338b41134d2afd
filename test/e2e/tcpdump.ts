// tcpdump in a test's namespace for one packet: shared by the routing e2e tests.
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestNetns } from '../../src/testing/netns.js';

/** Starts tcpdump in a namespace for one packet matching `filter`; resolves with its line. */
export function capture(
  ns: TestNetns,
  dev: string,
  filter: string,
): { ready: Promise<void>; line: Promise<string>; p: ChildProcess } {
  const p = spawn(
    'ip',
    ['netns', 'exec', ns.name, 'timeout', '8', 'tcpdump', '-l', '-n', '-c', '1', '-i', dev, filter],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  const ready = new Promise<void>((res) => {
    p.stderr.on('data', (d) => {
      err += d;
      if (/listening on/.test(err)) res();
    });
    setTimeout(res, 3000);
  });
  p.stdout.on('data', (d) => {
    out += d;
  });
  const line = new Promise<string>((res) => p.once('close', () => res(out.trim())));
  return { ready, line, p };
}

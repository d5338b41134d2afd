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

/**
 * tcpdump for a while: `prefix` runs it where the packets are (`ip netns exec NS`, or
 * `waggle exec POD --` to join a pod), every packet matching `filter` on `dev` as a line, at most
 * `seconds`. `ready` resolves once it listens; `stop()` ends it and resolves with its lines.
 */
export function captureLines(
  prefix: string[],
  dev: string,
  filter: string,
  seconds: number,
  extra: string[] = [],
): { ready: Promise<void>; stop(): Promise<string[]>; done: Promise<string[]> } {
  const argv = [...prefix, 'timeout', String(seconds), 'tcpdump', '-l', '-n', ...extra, '-i', dev, filter];
  const p = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  const ready = new Promise<void>((res) => {
    p.stderr.on('data', (d) => /listening on/.test(String(d)) && res());
    setTimeout(res, 3000);
  });
  const done = new Promise<string[]>((res) => p.once('close', () => res(out.split('\n').filter(Boolean))));
  const stop = () => {
    // SIGINT to the whole chain's head: tcpdump flushes what it has and exits.
    if (p.pid !== undefined && p.exitCode === null) process.kill(p.pid, 'SIGINT');
    return done;
  };
  return { ready, stop, done };
}

/** New connections from `tcpdump -tt -S` SYN lines: the first time each (client, ISN) was seen, so
 * a SYN retransmitted for a connection begun earlier is not counted as a new one. */
export function firstSyns(lines: string[], dst: string): number[] {
  const first = new Map<string, number>();
  for (const l of lines) {
    const m = /^(\d+\.\d+) IP (\S+) > (\S+): Flags \[S\], seq (\d+)/.exec(l);
    if (!m || m[3] !== `${dst}.80`) continue;
    const key = `${m[2]} ${m[4]}`;
    if (!first.has(key)) first.set(key, Number(m[1]) * 1000);
  }
  return [...first.values()];
}

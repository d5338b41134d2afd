// Habets' arping (Debian's `arping`), run inside a test namespace, and its output parsed into
// the replies it counted: "60 bytes from 02:…:01 (10.0.10.0): index=0 time=41.2 usec".
import type { TestNetns } from '../../testing/netns.js';

export interface ArpingReply {
  mac: string;
  ip: string;
  /** Round-trip time as arping measured it, in microseconds. */
  rttUs: number;
}

export interface ArpingResult {
  code: number;
  replies: ArpingReply[];
  output: string;
}

const UNIT_US: Record<string, number> = { nsec: 1e-3, usec: 1, msec: 1e3, sec: 1e6 };
const LINE = /bytes from ([0-9a-f:]{17}) \(([\d.]+)\): index=\d+ time=([\d.]+) (nsec|usec|msec|sec)/gi;

export function parseArping(output: string): ArpingReply[] {
  return [...output.matchAll(LINE)].map((m) => ({
    mac: (m[1] ?? '').toLowerCase(),
    ip: m[2] ?? '',
    rttUs: Number(m[3]) * (UNIT_US[(m[4] ?? 'usec').toLowerCase()] ?? 1),
  }));
}

/**
 * Sends `count` who-has requests for `ip` out of `dev` in `ns`, `intervalS` apart, and gives up
 * after `deadlineS` seconds whatever happened (the process is also killed after deadline + 5 s).
 */
export async function arping(
  ns: TestNetns,
  dev: string,
  ip: string,
  opts: { count: number; intervalS?: number; deadlineS: number },
): Promise<ArpingResult> {
  const args = ['-c', String(opts.count), '-w', String(opts.deadlineS), '-i', dev];
  if (opts.intervalS !== undefined) args.push('-W', String(opts.intervalS));
  const res = await ns.execAsync('arping', [...args, ip], (opts.deadlineS + 5) * 1000);
  const output = res.stdout + res.stderr;
  return { code: res.code, replies: parseArping(output), output };
}

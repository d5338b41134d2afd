// wrk's text report, parsed (wrk 4.1, src/wrk.c print_stats/print_stats_latency): requests,
// requests/s, latency percentiles (with --latency) and every failure wrk counts — the
// "Socket errors: connect N, read N, write N, timeout N" line and "Non-2xx or 3xx responses: N".
// wrk prints those two lines only when a count is non-zero, so their absence means 0; a report
// without the "requests in" line is refused rather than read as a clean run. runWrk runs it.
import { shAsync } from './exec.js';

export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  /** Latency percentiles in ms (present with --latency). */
  latencyMs: { p50?: number; p75?: number; p90?: number; p99?: number };
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
  /** Every request wrk saw fail: socket errors of all four kinds plus non-2xx/3xx answers. */
  failed: number;
}

function durationMs(v: string): number {
  const m = /^([0-9.]+)(us|ms|s|m)$/.exec(v);
  if (!m) throw new Error(`wrk: cannot read the duration "${v}"`);
  const x = Number(m[1]);
  // Divided, not multiplied by 0.001: 830us is then 0.83, not 0.8300000000000001.
  return m[2] === 'us' ? x / 1000 : m[2] === 'ms' ? x : m[2] === 's' ? x * 1000 : x * 60_000;
}

export function parseWrk(text: string): WrkResult {
  const total = /^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m),/m.exec(text);
  if (!total) throw new Error(`wrk: no "requests in" line in its output:\n${text.slice(0, 800)}`);
  const rps = /^Requests\/sec:\s+([0-9.]+)/m.exec(text);
  const sock = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/m.exec(text);
  const non2xx = Number(/^\s*Non-2xx or 3xx responses: (\d+)/m.exec(text)?.[1] ?? 0);
  const latencyMs: WrkResult['latencyMs'] = {};
  const dist = text.split(/^\s*Latency Distribution\s*$/m)[1] ?? '';
  for (const m of dist.matchAll(/^\s*(50|75|90|99)%\s+([0-9.]+(?:us|ms|s|m))\s*$/gm))
    latencyMs[`p${m[1]}` as keyof WrkResult['latencyMs']] = durationMs(m[2] as string);
  const socketErrors = {
    connect: Number(sock?.[1] ?? 0),
    read: Number(sock?.[2] ?? 0),
    write: Number(sock?.[3] ?? 0),
    timeout: Number(sock?.[4] ?? 0),
  };
  const requests = Number(total[1]);
  return {
    requests,
    seconds: durationMs(`${total[2]}${total[3]}`) / 1000,
    requestsPerSec: Number(rps?.[1] ?? Number.NaN),
    latencyMs,
    socketErrors,
    non2xx,
    failed: socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout + non2xx,
  };
}

/** A run's parsed report with its text, for failure messages. */
export type WrkRun = WrkResult & { raw: string };

export interface WrkOptions {
  seconds: number;
  connections?: number;
  /** A new connection per request (`Connection: close`, the default), so the service datapath
   * places every request anew; false: keep-alive connections, as browsers and proxies use. */
  newConnections?: boolean;
}

/** Runs wrk against `url` (`prefix` runs it inside a host, e.g. `ip netns exec NS`); the parsed
 * report and its text, for failure messages. */
export async function runWrk(prefix: string[], url: string, o: WrkOptions): Promise<WrkRun> {
  const argv = [...prefix, 'wrk', '-t1', `-c${o.connections ?? 4}`, `-d${o.seconds}s`, '--timeout', '2s'];
  if (o.newConnections ?? true) argv.push('-H', 'Connection: close');
  const r = await shAsync(argv[0] as string, [...argv.slice(1), url], (o.seconds + 30) * 1000);
  if (r.code !== 0) throw new Error(`wrk ${url}: exit ${r.code}: ${r.stderr}`);
  return { ...parseWrk(r.stdout), raw: r.stdout };
}

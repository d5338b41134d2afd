// wrk (github.com/wg/wrk) as a load generator in e2e tests and benches: its run, and the counts it prints.
// Every failed request is counted: "Socket errors" (connect, read, write, timeout) and
// "Non-2xx or 3xx responses"; wrk prints neither line when it saw none.
import { shAsync } from './exec.js';

export interface WrkResult {
  requests: number;
  seconds: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
  /** Failed requests, all kinds together. */
  failed: number;
  raw: string;
}

export function parseWrk(out: string): WrkResult {
  const total = /^\s*(\d+) requests in ([\d.]+)(m?s)/m.exec(out);
  if (!total) throw new Error(`not wrk output:\n${out}`);
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = {
    connect: Number(se?.[1] ?? 0),
    read: Number(se?.[2] ?? 0),
    write: Number(se?.[3] ?? 0),
    timeout: Number(se?.[4] ?? 0),
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errs = socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout;
  const seconds = Number(total[2]) / (total[3] === 'ms' ? 1000 : 1);
  return { requests: Number(total[1]), seconds, socketErrors, non2xx, failed: errs + non2xx, raw: out };
}

export interface WrkOptions {
  seconds: number;
  connections?: number;
  /** A new connection per request (`Connection: close`, the default), so the service datapath
   * places every request anew; false: keep-alive connections, as browsers and proxies use. */
  newConnections?: boolean;
}

/** Runs wrk against `url`; `prefix` runs it inside a host (e.g. `ip netns exec NS`). */
export async function runWrk(prefix: string[], url: string, o: WrkOptions): Promise<WrkResult> {
  const argv = [...prefix, 'wrk', '-t1', `-c${o.connections ?? 4}`, `-d${o.seconds}s`, '--timeout', '2s'];
  if (o.newConnections ?? true) argv.push('-H', 'Connection: close');
  const r = await shAsync(argv[0] as string, [...argv.slice(1), url], (o.seconds + 30) * 1000);
  if (r.code !== 0) throw new Error(`wrk ${url}: exit ${r.code}: ${r.stderr}`);
  return parseWrk(r.stdout);
}

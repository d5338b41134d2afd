// The two probes of one address, as Cilium's prober does them: ICMP echo to the node's stack
// (`ping`, whose RTT is the kernel's) and `GET /hello` on TCP 4240, timed here from the request
// to the response headers. Each settles within about a second, with a one-line error on failure.
import { request } from 'node:http';
import { errorLine } from '../lib/errors.js';
import { run } from '../lib/exec.js';
import { parsePingRtt, type ProbeResult } from './health-status.js';

export const HEALTH_PORT = 4240;
export const PROBE_TIMEOUT_MS = 1000;

/**
 * `ping -c 1 -W 1 IP`. The exec helper kills this ping by its pid if it is still alive after
 * 2 s (ping itself gives up after 1 s), so an abandoned probe never outlives that.
 */
export async function icmpProbe(ip: string): Promise<ProbeResult> {
  try {
    const r = await run('ping', ['-n', '-c', '1', '-W', '1', ip], { timeoutMs: 2000, allowFail: true });
    const rtt = parsePingRtt(r.stdout);
    if (r.code === 0 && rtt !== undefined) return { ok: true, rttMs: rtt };
    // iputils prints why on stderr ("connect: Network is unreachable") or, for an unanswered
    // neighbour, "From X icmp_seq=1 Destination Host Unreachable" on stdout.
    const why =
      /Destination \w+ Unreachable/.exec(r.stdout)?.[0] ??
      (r.stderr.trim().split('\n')[0] || `no reply within ${PROBE_TIMEOUT_MS}ms`);
    return { ok: false, error: `ping ${ip}: ${why}` };
  } catch (err) {
    return { ok: false, error: errorLine(err) };
  }
}

/** `GET http://IP:4240/hello`, 200 expected, one second for the whole exchange. */
export function httpProbe(
  ip: string,
  signal: AbortSignal,
  port = HEALTH_PORT,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const url = `http://${ip}:${port}/hello`;
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let done = false;
    const finish = (r: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(url, { method: 'GET', agent: false, signal }, (res) => {
      const rttMs = Number(process.hrtime.bigint() - t0) / 1e6;
      res.resume();
      finish(
        res.statusCode === 200
          ? { ok: true, rttMs }
          : { ok: false, error: `GET ${url}: HTTP ${res.statusCode}` },
      );
      req.destroy();
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: `GET ${url}: no answer within ${timeoutMs}ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => finish({ ok: false, error: `GET ${url}: ${errorLine(err)}` }));
    req.end();
  });
}

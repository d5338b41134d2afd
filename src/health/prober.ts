// One probe round over the cluster: for every node, ICMP and HTTP to its InternalIP and to its
// health endpoint, at most `concurrency` probes at a time so a large cluster does not spawn a
// ping per address at once.
import {
  type HealthTarget,
  IP_UNAVAILABLE,
  type NodeHealth,
  type PathHealth,
  type ProbeResult,
} from './health-status.js';
import { httpProbe, icmpProbe } from './probes.js';

export interface ProbeFns {
  icmp(ip: string): Promise<ProbeResult>;
  http(ip: string, signal: AbortSignal): Promise<ProbeResult>;
}

export const realProbes: ProbeFns = { icmp: icmpProbe, http: httpProbe };

/** Runs the jobs with at most `limit` in flight; starts no new job once `signal` is aborted. */
export async function runBounded<T>(
  jobs: Array<() => Promise<T>>,
  limit: number,
  signal: AbortSignal,
): Promise<Array<T | undefined>> {
  const out: Array<T | undefined> = new Array(jobs.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !signal.aborted) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

const skipped: ProbeResult = { ok: false, error: 'not probed (stopped)' };

/** Probes every target; an address missing from the CiliumNode is a failed path naming the field. */
export async function probeCluster(
  targets: readonly HealthTarget[],
  signal: AbortSignal,
  opts: { concurrency?: number; probes?: ProbeFns } = {},
): Promise<NodeHealth[]> {
  const probes = opts.probes ?? realProbes;
  const jobs: Array<() => Promise<ProbeResult>> = [];
  const slot = (fn: () => Promise<ProbeResult>) => jobs.push(fn) - 1;
  const plan = targets.map((t) => ({
    t,
    host: t.hostIp === undefined ? undefined : pathJobs(t.hostIp),
    endpoint: t.healthIp === undefined ? undefined : pathJobs(t.healthIp),
  }));
  function pathJobs(ip: string) {
    return { ip, icmp: slot(() => probes.icmp(ip)), http: slot(() => probes.http(ip, signal)) };
  }
  const results = await runBounded(jobs, opts.concurrency ?? 4, signal);
  const path = (p: { ip: string; icmp: number; http: number }): PathHealth => ({
    ip: p.ip,
    icmp: results[p.icmp] ?? skipped,
    http: results[p.http] ?? skipped,
  });
  return plan.map(({ t, host, endpoint }) => {
    const missing: ProbeResult = {
      ok: false,
      error: `CiliumNode ${t.name}: spec.addresses has no InternalIP`,
    };
    const n: NodeHealth = {
      name: t.name,
      host: host ? path(host) : { ip: IP_UNAVAILABLE, icmp: missing, http: missing },
    };
    if (endpoint) n.endpoint = path(endpoint);
    return n;
  });
}

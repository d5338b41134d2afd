// The demo's view of the lab's workloads: pods read back from the store (`get pod -o wide`),
// waited for without printing every poll, and the node PodCIDRs they must come from.
import { findPod } from '../kubelet/exec.js';
import { inCgroupArgv } from '../kubelet/cgroup.js';
import { inSandboxArgv } from '../kubelet/sandbox.js';
import { KUBELET_DIR } from '../paths.js';
import { check, type DemoContext } from './step.js';
import { poll, tableCell, waggleOnServer } from './tools.js';

export interface PodRow {
  name: string;
  ready: string;
  status: string;
  ip: string;
  node: string;
}

/** The rows of `get pod -o wide`. */
export function podRows(table: string): PodRow[] {
  return table
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 7)
    .map((c) => ({
      name: c[0] as string,
      ready: c[1] as string,
      status: c[2] as string,
      ip: c[5] as string,
      node: c[6] as string,
    }));
}

/**
 * Waits (quietly, at most `timeoutMs`) until every pod `want` accepts is Running and ready with an
 * address, then prints `get pod -o wide` once and returns the rows.
 */
export async function waitForPods(
  ctx: DemoContext,
  want: (rows: PodRow[]) => PodRow[] | undefined,
  timeoutMs = 60_000,
): Promise<PodRow[]> {
  const ready = (r: PodRow) => r.status === 'Running' && /^(\d+)\/\1$/.test(r.ready) && r.ip !== '<none>';
  await poll(timeoutMs, () => {
    const res = waggleOnServer(ctx, ['get', 'pod', '-o', 'wide'], { quiet: true });
    const rows = res.code === 0 ? want(podRows(res.out)) : undefined;
    return rows?.every(ready) ? rows : undefined;
  });
  const shown = waggleOnServer(ctx, ['get', 'pod', '-o', 'wide']);
  const rows = want(podRows(shown.out)) ?? [];
  check(ctx, rows.length > 0 && rows.every(ready), 'the pods are Running, ready, with an address');
  return rows;
}

/** The node's spec.podCIDR, as the lab's node IPAM gave it. */
export function podCidr(ctx: DemoContext, node: string): string {
  const res = waggleOnServer(ctx, ['get', 'node', node, '-o', 'jsonpath={.spec.podCIDR}'], { quiet: true });
  return res.out.trim();
}

/** Whether a dotted IPv4 address lies in an a.b.c.d/len prefix. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const toNum = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const bits = Number(len);
  if (!base || !Number.isInteger(bits) || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(toNum(ip) / size) === Math.floor(toNum(base) / size);
}

export function clusterIp(ctx: DemoContext, svc: string): string | undefined {
  const res = waggleOnServer(ctx, ['get', 'svc', svc]);
  const ip = res.code === 0 ? tableCell(res.out, svc, 'CLUSTER-IP') : undefined;
  return ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? ip : undefined;
}

/** The command line that runs `argv` inside pod `name` (its netns, UTS and cgroup), for LiveTool. */
export function inPodArgv(name: string): (argv: string[]) => string[] {
  return (argv) => {
    const { rec } = findPod({ namespace: 'default', pod: name, rootBase: KUBELET_DIR });
    return inCgroupArgv(rec.cgroup, inSandboxArgv(rec, ['stdbuf', '-oL', ...argv]));
  };
}

// One failover trial in the lab: inject a fault on the VIP's holder, wait for the other worker to
// answer, read the timeline off the jumpbox's capture, restore, and wait until the lab is back to
// exactly one answering node. Timestamps come from tcpdump (-tt) and `ip -ts monitor neigh`;
// the fault time is this process's wall clock, the same clock (one host, shared by all netns).
import { fetchStatus } from '../../src/agent/api-client.js';
import type { LiveTool } from '../../src/lab/demo/live.js';
import { agentSocket } from '../../src/lab/paths.js';
import type { Store } from '../../src/store/index.js';
import { type ArpCapture, isGarp, parseNeighLine } from './capture.js';
import { holderOf, inHost, macOf, restart, sleep, stopAgent, until } from './lab.js';

export type FaultCase = 'sigkill' | 'isolate' | 'sigterm';

export const CASE_LABEL: Record<FaultCase, string> = {
  sigkill: 'holder agent SIGKILL',
  isolate: 'holder node isolated (eth1 down)',
  sigterm: 'holder agent SIGTERM (release)',
};

export interface TrialEnv {
  store: Store;
  lease: string;
  service: string;
  vip: string;
  capture: ArpCapture;
  /** `ip -ts monitor neigh` in the jumpbox (active client) and in server (hears only broadcasts). */
  neighJumpbox: LiveTool;
  neighServer: LiveTool;
  /** Upper bound for one takeover, from the lease timings. */
  takeoverTimeoutMs: number;
  livenessIntervalMs: number;
}

export interface TrialResult {
  from: string;
  to: string;
  /** The failover figure: first reply from the new holder − last from the old one. */
  gapMs: number;
  faultToNewMs: number;
  oldAnsweredForMs: number;
  unansweredRequests: number;
  garpAfterFaultMs: number | null;
  jumpboxCacheAfterFaultMs: number | null;
  serverCacheAfterFaultMs: number | null;
  /** Replies from the restored node after it came back while it was not the holder. */
  staleRepliesAfterRestore: number;
}

const other = (h: string) => (h === 'node-0' ? 'node-1' : 'node-0');

function seedNeighbour(host: string, vip: string, mac: string): void {
  inHost(host, ['ip', 'neigh', 'replace', vip, 'lladdr', mac, 'dev', 'eth1', 'nud', 'stale']);
}

function cacheFlip(tool: LiveTool, vip: string, mac: string, sinceMs: number): number | null {
  for (const l of tool.lines) {
    const c = parseNeighLine(l.text);
    if (c && c.ip === vip && c.mac === mac && c.tMs >= sinceMs) return c.tMs - sinceMs;
  }
  return null;
}

async function inject(c: FaultCase, holder: string): Promise<void> {
  if (c === 'isolate') {
    const r = inHost(holder, ['ip', 'link', 'set', 'eth1', 'down']);
    if (r.code !== 0) throw new Error(`isolate ${holder}: ${r.stderr.trim()}`);
  } else await stopAgent(holder, c === 'sigkill' ? 'SIGKILL' : 'SIGTERM');
}

async function restore(c: FaultCase, holder: string): Promise<void> {
  if (c === 'isolate') inHost(holder, ['ip', 'link', 'set', 'eth1', 'up']);
  else await restart('agent', holder);
}

/** The node's agent is up, synced, live, and is a candidate for the service again. */
async function candidateReady(env: TrialEnv, host: string): Promise<boolean> {
  const ok = await until(
    env.takeoverTimeoutMs + 30_000,
    async () => {
      try {
        const s = await fetchStatus(agentSocket(host), 2000);
        const live = s.liveness.ageMs !== null && s.liveness.ageMs < 3 * env.livenessIntervalMs + 500;
        return s.l2.initialSyncDone && live && s.l2.leases.some((l) => l.service === env.service)
          ? true
          : undefined;
      } catch {
        return undefined;
      }
    },
    200,
  );
  return ok === true;
}

export async function runTrial(env: TrialEnv, c: FaultCase): Promise<TrialResult> {
  const holder = await holderOf(env.store, env.lease);
  if (holder !== 'node-0' && holder !== 'node-1') throw new Error(`trial: lease holder is "${holder}"`);
  const next = other(holder);
  const oldMac = macOf(holder);
  const newMac = macOf(next);
  seedNeighbour('jumpbox', env.vip, oldMac);
  seedNeighbour('server', env.vip, oldMac);
  // The neighbour code ignores a non-gratuitous update within locktime (1 s) of the last change.
  await sleep(1100);
  env.capture.forgetBefore(Date.now() - 5000);
  const answering = env.capture.replies(env.vip, Date.now() - 300);
  if (!answering.some((p) => p.src === oldMac))
    throw new Error(`trial: ${holder} (${oldMac}) is not answering ${env.vip} before the fault`);
  const tFault = Date.now();
  await inject(c, holder);
  const firstNew = await until(env.takeoverTimeoutMs, () =>
    env.capture.replies(env.vip, tFault).find((p) => p.src === newMac && !isGarp(p)),
  );
  if (!firstNew) throw new Error(`${c}: ${next} did not answer within ${env.takeoverTimeoutMs} ms`);
  // Let an overlapping old holder show itself (it stops by its max liveness at the latest).
  await sleep(1000);
  const after = env.capture.replies(env.vip, tFault).filter((p) => !isGarp(p));
  const lastOld = [...after].reverse().find((p) => p.src === oldMac);
  const lastOldMs = lastOld?.tMs ?? answering[answering.length - 1]?.tMs ?? tFault;
  const requests = env.capture
    .packets(lastOldMs)
    .filter((p) => p.op === 'request' && p.ip === env.vip && p.tMs > lastOldMs && p.tMs < firstNew.tMs);
  const garp = env.capture.replies(env.vip, tFault).find((p) => p.src === newMac && isGarp(p));
  const result: Omit<TrialResult, 'staleRepliesAfterRestore'> = {
    from: holder,
    to: next,
    gapMs: firstNew.tMs - lastOldMs,
    faultToNewMs: firstNew.tMs - tFault,
    oldAnsweredForMs: lastOldMs - tFault,
    unansweredRequests: requests.length,
    garpAfterFaultMs: garp ? garp.tMs - tFault : null,
    jumpboxCacheAfterFaultMs: cacheFlip(env.neighJumpbox, env.vip, newMac, tFault),
    serverCacheAfterFaultMs: cacheFlip(env.neighServer, env.vip, newMac, tFault),
  };
  const tRestore = Date.now();
  await restore(c, holder);
  if (!(await candidateReady(env, holder)))
    throw new Error(`${c}: ${holder} did not come back as a candidate`);
  const newHolder = await holderOf(env.store, env.lease);
  if (newHolder !== next) throw new Error(`${c}: lease holder is ${newHolder} after restore, want ${next}`);
  // One quiet second: only the new holder may answer now.
  await sleep(1000);
  const stale = env.capture.replies(env.vip, tRestore).filter((p) => p.src === oldMac && !isGarp(p));
  return { ...result, staleRepliesAfterRestore: stale.length };
}

// The probes a scenario is made of: curl and ping from a test pod or a lab host, each bounded
// (curl -m, ping -W) and judged by what came back, not only by the exit code. A failure keeps the
// command and the reason curl or ping gave, with the connect(2) error curl -v printed (so a service
// without backends says "Connection refused").
import type { Role } from './deploy.js';
import { inHost, inPod, type Ran } from './shell.js';

export interface TestPod {
  name: string;
  ip: string;
  node: string;
}

export interface Env {
  namespace: string;
  pods: Partial<Record<Role, TestPod>>;
  /** Why a role has no ready pod (not scheduled, not Running, replicas 0, …). */
  missing: Partial<Record<Role, string>>;
  clusterIPs: Partial<Record<string, string>>;
  /** The nodePort of each Service's first port (NodePort and LoadBalancer Services). */
  nodePorts: Partial<Record<string, number>>;
  /** The first LoadBalancer ingress IP of each Service that has one. */
  lbIPs: Partial<Record<string, string>>;
}

export interface Outcome {
  ok: boolean;
  /** The command run (empty when none could be). */
  shown: string;
  detail: string;
}

const CURL_S = 5;
/** The child's own bound: curl's -m plus the time to start nsenter and curl. */
const CHILD_MS = (CURL_S + 5) * 1000;

function curlArgv(url: string): string[] {
  return ['curl', '-sS', '-v', '-m', String(CURL_S), '--connect-timeout', '3', url];
}

/** curl's error line, plus the connect(2) error -v printed before it. */
export function curlError(r: Ran): string {
  const lines = r.stderr.split('\n');
  const last = lines.filter((l) => l.startsWith('curl: (')).pop() ?? r.stderr.trim().split('\n').pop() ?? '';
  // curl -v says "connect to … failed: E" for a failed non-blocking connect and "Immediate connect
  // fail for …: E" when connect(2) itself returns the error (socket LB refusing a service without
  // backends does that).
  const connect = lines
    .find((l) => /^\* (connect to .* failed|Immediate connect fail for .*): /.test(l))
    ?.replace(/^\* /, '');
  const text = connect && !last.includes(connect) ? `${last} (${connect})` : last;
  return text || `exit code ${r.code}`;
}

function judge(r: Ran, expect: RegExp, what: string): Outcome {
  if (r.code !== 0) return { ok: false, shown: r.shown, detail: curlError(r) };
  if (!expect.test(r.stdout))
    return {
      ok: false,
      shown: r.shown,
      detail: `${what}: expected ${expect} in the reply, got: ${r.stdout.trim().split('\n').slice(0, 4).join(' | ')}`,
    };
  return { ok: true, shown: r.shown, detail: '' };
}

export function podOf(env: Env, role: Role): TestPod | Outcome {
  const p = env.pods[role];
  if (p) return p;
  return {
    ok: false,
    shown: '',
    detail: `no ready ${role} pod in namespace ${env.namespace}: ${env.missing[role] ?? 'unknown'}`,
  };
}

const isOutcome = (x: TestPod | Outcome): x is Outcome => 'ok' in x;

/** curl from a pod of `role`; the reply must match `expect`. */
export async function curlFromPod(env: Env, role: Role, url: string, expect: RegExp): Promise<Outcome> {
  const from = podOf(env, role);
  if (isOutcome(from)) return from;
  return judge(await inPod(env.namespace, from.name, curlArgv(url), CHILD_MS), expect, url);
}

export async function curlFromHost(host: string, url: string, expect: RegExp): Promise<Outcome> {
  return judge(await inHost(host, curlArgv(url), CHILD_MS), expect, url);
}

/**
 * curl from a lab host until it succeeds or `withinMs` passes (a fresh LoadBalancer address is
 * answered once its lease is taken and announced); the last outcome.
 */
export async function curlFromHostUntil(
  host: string,
  url: string,
  expect: RegExp,
  withinMs: number,
): Promise<Outcome> {
  const until = Date.now() + withinMs;
  let last = await curlFromHost(host, url, expect);
  for (let i = 0; i < 20 && !last.ok && Date.now() < until; i++) {
    await new Promise((r) => setTimeout(r, 500));
    last = await curlFromHost(host, url, expect);
  }
  return last;
}

/** Three echo requests, one second apart at most each (ping -W), all answered. */
export async function pingFromPod(env: Env, role: Role, ip: string): Promise<Outcome> {
  const from = podOf(env, role);
  if (isOutcome(from)) return from;
  const r = await inPod(env.namespace, from.name, ['ping', '-c', '3', '-i', '0.2', '-W', '1', ip], 10_000);
  if (r.code === 0 && / 0% packet loss/.test(r.stdout)) return { ok: true, shown: r.shown, detail: '' };
  const summary = r.stdout.split('\n').find((l) => /packet loss/.test(l)) ?? r.stderr.trim();
  return { ok: false, shown: r.shown, detail: summary || `exit code ${r.code}` };
}

/** A whoami reply naming this pod. */
export function whoamiOf(p: TestPod): RegExp {
  return new RegExp(`^Hostname: ${p.name}$`, 'm');
}

export { isOutcome };

// Driving the lab (src/lab) from a benchmark: a fresh lab with given agent timings, the store
// through etcd's unix socket, faults injected on one component, and real tools inside hosts.
import { readFileSync } from 'node:fs';
import type { Lease, Service } from '../../src/api/index.js';
import { AGENT_FLAGS_ENV, findComponent, markerOf } from '../../src/lab/components.js';
import { labKill, labRestart } from '../../src/lab/control.js';
import { labDown } from '../../src/lab/down.js';
import { STORE_URL_FILE, WAGGLE_BIN } from '../../src/lab/paths.js';
import { markStopped, stopProcess } from '../../src/lab/procs.js';
import { runningPid } from '../../src/lab/supervisor.js';
import { hostByName } from '../../src/lab/topology.js';
import { type LabUpOptions, labUp } from '../../src/lab/up.js';
import { openStore, type Store } from '../../src/store/index.js';
import { sh } from '../../src/testing/exec.js';

export const WORKERS = ['node-0', 'node-1'] as const;
export const AGENT_HOSTS = ['server', 'node-0', 'node-1'] as const;

export interface Timings {
  name: string;
  lease: string;
  renew: string;
  retry: string;
  liveness: string;
}

export const CILIUM_DEFAULT: Timings = {
  name: 'Cilium defaults',
  lease: '15s',
  renew: '5s',
  retry: '2s',
  liveness: '1s',
};
/** waggle's fastest settings that the failover bench's quiet run checks do not flap. */
export const WAGGLE_FAST: Timings = {
  name: 'waggle fast',
  lease: '1s',
  renew: '500ms',
  retry: '200ms',
  liveness: '100ms',
};

export function timingFlags(t: Timings): string {
  return [
    `--l2-announcements-lease-duration ${t.lease}`,
    `--l2-announcements-renew-deadline ${t.renew}`,
    `--l2-announcements-retry-period ${t.retry}`,
    `--agent-liveness-update-interval ${t.liveness}`,
  ].join(' ');
}

const quiet = () => {};

/** down + up: a fresh etcd and fresh agents started with `flags` (plus any extra agent flags). */
export async function freshLab(
  flags: string,
  say: (s: string) => void = quiet,
  opts: LabUpOptions = {},
): Promise<void> {
  await labDown(say);
  process.env[AGENT_FLAGS_ENV] = flags;
  try {
    await labUp(say, opts);
  } finally {
    delete process.env[AGENT_FLAGS_ENV];
  }
}

/** Leaves the lab as `lab up` makes it by default (the next user expects the defaults). */
export async function resetLab(): Promise<void> {
  await labDown(quiet);
}

export function labStore(): Store {
  return openStore(readFileSync(STORE_URL_FILE, 'utf8').trim());
}

/** A waggle CLI command run from the host (store commands go through etcd's unix socket). */
export function waggle(args: string[], timeoutMs = 60_000) {
  return sh(process.execPath, [WAGGLE_BIN, ...args], { timeoutMs, allowFail: true });
}

/** `waggle apply -f -` with a manifest on stdin; throws with the CLI's own message on failure. */
export function applyText(yaml: string): void {
  const res = sh(process.execPath, [WAGGLE_BIN, 'apply', '-f', '-'], {
    input: yaml,
    timeoutMs: 300_000,
    allowFail: true,
  });
  if (res.code !== 0) throw new Error(`waggle apply: ${res.stderr.trim() || res.stdout.trim()}`);
}

export function inHost(host: string, argv: string[], timeoutMs = 30_000) {
  const [cmd, ...args] = argv;
  return sh('ip', ['netns', 'exec', hostByName(host).netns, cmd as string, ...args], {
    timeoutMs,
    allowFail: true,
  });
}

export function macOf(host: string, dev: 'eth0' | 'eth1' = 'eth1'): string {
  const i = hostByName(host).ifaces.find((x) => x.dev === dev);
  if (!i) throw new Error(`lab: ${host} has no ${dev}`);
  return i.mac;
}

export function hostOfMac(mac: string): string | undefined {
  for (const h of AGENT_HOSTS) if (hostByName(h).ifaces.some((i) => i.mac === mac)) return h;
  return undefined;
}

export const leaseName = (ns: string, name: string) => `waggle-l2announce-${ns}-${name}`;

export async function holderOf(store: Store, lease: string): Promise<string | undefined> {
  const l = (await store.tryGet('Lease', lease, 'kube-system')) as Lease | undefined;
  const h = l?.spec?.holderIdentity;
  return h ? h : undefined;
}

export async function externalIps(store: Store, namespace: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const list = await store.list({ kind: 'Service', namespace });
  for (const s of list.items as Service[]) {
    const ip = s.status?.loadBalancer?.ingress?.[0]?.ip;
    if (ip) out.set(s.metadata.name, ip);
  }
  return out;
}

export function componentPid(component: string, host: string): number | undefined {
  return runningPid(findComponent(component, host));
}

/** SIGKILL (crash) or SIGTERM (graceful release); the supervisor leaves the agent down. */
export async function stopAgent(host: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  if (signal === 'SIGKILL') return labKill('agent', host, quiet);
  const c = findComponent('agent', host);
  markStopped(c.id, true);
  const pid = runningPid(c);
  if (pid !== undefined) await stopProcess(pid, markerOf(c), 'SIGTERM', 10_000);
}

export function restart(component: string, host: string): Promise<void> {
  return labRestart(component, host, quiet);
}

/** utime + stime of a process in ms (CLK_TCK = 100 on Linux). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a value, at most `timeoutMs` (then undefined). */
export async function until<T>(
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
  everyMs = 50,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

/** The seed's pool and policy and one LoadBalancer service ("default/web"), as YAML. */
export const SEED_POOL = readFileSync('examples/seed/lb.yaml', 'utf8');
export const SEED_POLICY = readFileSync('examples/seed/l2.yaml', 'utf8');

export function serviceYaml(
  name: string,
  namespace = 'default',
  labels: Record<string, string> = {},
): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `\n    ${k}: "${v}"`)
    .join('');
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${namespace}${
    l ? `\n  labels:${l}` : ''
  }\nspec:\n  type: LoadBalancer\n  ports:\n  - name: http\n    port: 80\n    protocol: TCP\n`;
}

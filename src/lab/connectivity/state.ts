// Waiting for what was deployed, through the store as `waggle get -o json` shows it: a ready pod
// per role, a ClusterIP and a nodePort per echo service, the LoadBalancer service's address, and
// an EndpointSlice listing the echo pod. Bounded by a
// deadline; whatever is not ready by then is named with the reason the store shows.
import type { Env, TestPod } from './actions.js';
import { ECHO_SERVICES, LB_SERVICE, ROLES, type Role } from './deploy.js';
import { waggle } from './shell.js';

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ state?: { waiting?: { reason?: string; message?: string } } }>;
  };
}
interface SvcJson {
  metadata: { name: string };
  spec: { clusterIP?: string; ports?: Array<{ nodePort?: number }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}
interface SliceJson {
  metadata: { labels?: Record<string, string> };
  endpoints: Array<{ addresses: string[]; conditions: { ready?: boolean } }>;
}

async function list<T>(kind: string, ns: string): Promise<T[]> {
  const r = await waggle(['get', kind, '-n', ns, '-o', 'json'], 15_000);
  if (r.code !== 0) throw new Error(`${r.shown}: ${r.stderr.trim() || `exit code ${r.code}`}`);
  return (JSON.parse(r.stdout) as { items: T[] }).items;
}

export async function listPods(ns: string): Promise<string[]> {
  return (await list<PodJson>('pods', ns)).map((p) => p.metadata.name);
}

const isReady = (p: PodJson) =>
  !p.metadata.deletionTimestamp &&
  Boolean(p.status?.podIP) &&
  (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

function whyNot(p: PodJson | undefined, role: Role, echoReplicas: number): string {
  if (!p)
    return role.startsWith('echo') && echoReplicas === 0 ? 'scaled to 0 replicas' : 'no pod created yet';
  const w = p.status?.containerStatuses?.[0]?.state?.waiting;
  const phase = p.status?.phase ?? 'Pending';
  return `pod ${p.metadata.name} on ${p.spec.nodeName ?? '<unscheduled>'} is ${phase}, not Ready${w?.reason ? ` (${w.reason}${w.message ? `: ${w.message}` : ''})` : ''}`;
}

async function snapshot(ns: string, echoReplicas: number): Promise<{ env: Env; done: boolean }> {
  const env: Env = { namespace: ns, pods: {}, missing: {}, clusterIPs: {}, nodePorts: {}, lbIPs: {} };
  const pods = await list<PodJson>('pods', ns);
  for (const role of ROLES) {
    const mine = pods.filter((p) => p.metadata.labels?.name === role);
    const ready = mine.find(isReady);
    if (ready)
      env.pods[role] = {
        name: ready.metadata.name,
        ip: ready.status?.podIP as string,
        node: ready.spec.nodeName ?? '',
      } satisfies TestPod;
    else env.missing[role] = whyNot(mine[0], role, echoReplicas);
  }
  for (const s of await list<SvcJson>('services', ns)) {
    if (s.spec.clusterIP) env.clusterIPs[s.metadata.name] = s.spec.clusterIP;
    const port = s.spec.ports?.[0]?.nodePort;
    if (port) env.nodePorts[s.metadata.name] = port;
    const ip = s.status?.loadBalancer?.ingress?.[0]?.ip;
    if (ip) env.lbIPs[s.metadata.name] = ip;
  }
  const slices = await list<SliceJson>('endpointslices', ns);
  const inSlice = (svc: string, ip: string) =>
    slices.some(
      (s) =>
        s.metadata.labels?.['kubernetes.io/service-name'] === svc &&
        s.endpoints.some((e) => e.conditions.ready && e.addresses.includes(ip)),
    );
  const wanted = ROLES.filter((r) => !(r.startsWith('echo') && echoReplicas === 0));
  const done =
    wanted.every((r) => env.pods[r]) &&
    ECHO_SERVICES.every((s) => env.clusterIPs[s] && env.nodePorts[s]) &&
    env.lbIPs[LB_SERVICE] !== undefined &&
    ECHO_SERVICES.every((s) => echoReplicas === 0 || inSlice(s, env.pods[s]?.ip ?? '-'));
  return { env, done };
}

/** Polls until everything is ready or the deadline passes; returns what there is then. */
export async function waitReady(ns: string, echoReplicas: number, deadline: number): Promise<Env> {
  let last: Env | undefined;
  let lastError: Error | undefined;
  for (let i = 0; i < 1000 && (i === 0 || Date.now() < deadline); i++) {
    try {
      const s = await snapshot(ns, echoReplicas);
      last = s.env;
      if (s.done) return s.env;
    } catch (e) {
      lastError = e as Error;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (last) return last;
  throw new Error(`namespace ${ns}: cannot read the test's objects (${lastError?.message ?? 'no answer'})`);
}

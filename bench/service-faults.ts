// Faults under load for the service datapath (issue #18): wrk through the web Service's ClusterIP
// from `server` (socket LB) and through its LoadBalancer IP 10.0.10.20 from the jumpbox (per-packet
// LB on the announcing node), each request on a new connection, while one fault happens: a
// rolling update, a backend pod SIGKILLed, an agent SIGKILLed and restarted (on the client's
// node, on the announcing node), the operator restarted, etcd restarted; then, on a fresh lab whose
// store is three etcd members (server, node-0, node-1), the leader and a follower SIGKILLed and a
// rolling update after the leader changed; then agents whose TCP conntrack map holds 512 entries,
// overflowing under the load (LRU: new flows still translated; the evictions counted). Every
// failed request is
// counted (wrk's socket errors and non-2xx). A keep-alive run of the rolling update is reported
// beside it: what nginx's graceful stop does to idle keep-alive connections, whatever the
// datapath. Manifests: examples/lifecycle/web.yaml.
//   node dist/bench/service-faults.js [--seconds 16]
import { loadAllRecords } from '../src/lab/kubelet/record.js';
import { KUBELET_DIR, pinDir } from '../src/lab/paths.js';
import { runWrk, type WrkRun } from '../src/testing/wrk.js';
import { type EtcdMembers, etcdClientUrl, etcdMemberHosts } from '../src/lab/etcd-members.js';
import type { Codec } from '../src/bpf/codec.js';
import { TypedMap } from '../src/bpf/typed-map.js';
import { CT_STATS_MAP, ctEvictions, ctStatsCodec } from '../src/datapath/maps/ct-stats.js';
import { CT4_ANY_MAP, CT4_TCP_MAP, ct4AnyCodec, ct4TcpCodec } from '../src/datapath/maps/ct4.js';
import { labKill } from '../src/lab/control.js';
import {
  applyText,
  freshLab,
  holderOf,
  inHost,
  labStore,
  leaseName,
  resetLab,
  restart,
  SEED_POLICY,
  SEED_POOL,
  sleep,
  stopAgent,
  until,
  waggle,
} from './lib/lab.js';
import { numberFlag, printTable, runBench, writeResult } from './lib/report.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LB_IP = '10.0.10.20';
const SECONDS = numberFlag('--seconds', 16);
const FAULT_AT_MS = 3000;

interface Row {
  fault: string;
  clusterIP: WrkRun;
  lb: WrkRun;
  note: string;
}

const webPods = () =>
  (
    JSON.parse(waggle(['get', 'pods', '-l', 'app=web', '-o', 'json']).stdout || '{"items":[]}') as {
      items: Array<{
        metadata: { name: string; labels?: Record<string, string> };
        status?: { conditions?: Array<{ type: string; status: string }> };
      }>;
    }
  ).items;
const allReady = () =>
  webPods().length === 2 &&
  webPods().every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

/** Waits for 2 ready web pods again; the time it took, or undefined after 90 s. */
async function settle(): Promise<number | undefined> {
  const t0 = Date.now();
  const ok = await until(90_000, () => (allReady() ? true : undefined), 300);
  if (!ok) return undefined;
  await sleep(2000);
  return Date.now() - t0;
}

function load(clusterIP: string, newConnections: boolean): Promise<[WrkRun, WrkRun]> {
  const o = { seconds: SECONDS, newConnections };
  return Promise.all([
    runWrk([process.execPath, 'bin/waggle.js', 'lab', 'exec', 'server', '--'], `http://${clusterIP}/`, o),
    runWrk(['ip', 'netns', 'exec', 'waggle-jumpbox'], `http://${LB_IP}/`, o),
  ]);
}

/** Runs `fault` FAULT_AT_MS into a wrk run; resolves with what wrk counted and the fault's note. */
async function underLoad(
  clusterIP: string,
  fault: () => Promise<string>,
  newConnections = true,
): Promise<{ clusterIP: WrkRun; lb: WrkRun; note: string }> {
  const running = load(clusterIP, newConnections);
  await sleep(FAULT_AT_MS);
  const note = await fault();
  const [c, l] = await running;
  return { clusterIP: c, lb: l, note };
}

let rev = 0;
async function rollingUpdate(): Promise<string> {
  rev++;
  const t0 = Date.now();
  const r = waggle([
    'patch',
    'deployment',
    'web',
    '-p',
    `{"spec":{"template":{"metadata":{"labels":{"rev":"b${rev}"}}}}}`,
  ]);
  if (r.code !== 0) throw new Error(`patch: ${r.stderr}`);
  const done = await until(
    30_000,
    () => (allReady() && webPods().every((p) => p.metadata.labels?.rev === `b${rev}`) ? true : undefined),
    300,
  );
  return done ? `rollout ${Date.now() - t0} ms` : 'rollout not done in 30 s';
}

/** SIGKILLs every process of one web pod at once (cgroup.kill of its cgroup: nginx's master and
 * its worker, as an OOM kill or a crash would), so nothing answers on it until the kubelet has
 * restarted it; meanwhile its readiness probe fails and the EndpointSlice drops it. */
async function killBackend(): Promise<string> {
  const pod = webPods()[0]?.metadata.name;
  const hit = loadAllRecords(KUBELET_DIR).find((r) => r.rec.name === pod);
  if (!hit) throw new Error(`no kubelet record for pod ${pod}`);
  const procs = readFileSync(join(hit.rec.cgroup, 'cgroup.procs'), 'utf8').trim().split('\n').length;
  writeFileSync(join(hit.rec.cgroup, 'cgroup.kill'), '1');
  return `${procs} processes of ${pod} SIGKILLed`;
}

async function restarted(component: 'operator' | 'etcd'): Promise<string> {
  await restart(component, 'server');
  return `${component} restarted`;
}

async function agentCrash(host: string): Promise<string> {
  await stopAgent(host, 'SIGKILL');
  await sleep(2000);
  await restart('agent', host);
  return `agent on ${host} down 2 s`;
}

/** The host whose etcd member leads (etcdctl endpoint status, asked inside server). */
function etcdLeader(): string {
  const endpoints = etcdMemberHosts(3).map(etcdClientUrl).join(',');
  const r = inHost('server', ['etcdctl', '--endpoints', endpoints, 'endpoint', 'status', '-w', 'json']);
  const rows = JSON.parse(r.stdout || '[]') as Array<{
    Endpoint: string;
    Status: { leader: number | string; header: { member_id: number | string } };
  }>;
  const lead = rows.find((x) => String(x.Status.header.member_id) === String(x.Status.leader));
  const host = etcdMemberHosts(3).find((h) => lead && etcdClientUrl(h) === lead.Endpoint);
  if (!host) throw new Error(`no etcd leader in: ${r.stdout} ${r.stderr}`);
  return host;
}

async function etcdMemberDown(pick: () => string, what: string): Promise<string> {
  const host = pick();
  await labKill('etcd', host, () => {});
  await sleep(3000);
  await restart('etcd', host);
  return `${what}: etcd on ${host} SIGKILLed, restarted 3 s later`;
}

/** The conntrack LRU evictions on `host` so far, from its pinned maps (ct-stats.ts). */
function evictionsOn(host: string): number {
  const open = <K, V>(name: string, codec: Codec<K, V>) =>
    TypedMap.openPinned(`${pinDir(host)}/${name}`, codec);
  const stats = open(CT_STATS_MAP, ctStatsCodec);
  const tcp = open(CT4_TCP_MAP, ct4TcpCodec);
  const any = open(CT4_ANY_MAP, ct4AnyCodec);
  try {
    const e = ctEvictions((i) => stats.get(i) ?? 0n, { tcp: tcp.count(), any: any.count() });
    return e.tcp + e.any;
  } finally {
    for (const m of [stats, tcp, any]) m.close();
  }
}

async function conntrackOverflow(holder: string): Promise<string> {
  const before = evictionsOn(holder);
  await sleep(SECONDS * 1000 - FAULT_AT_MS - 1000);
  return `${evictionsOn(holder) - before} conntrack entries evicted on ${holder} while wrk ran (map of ${SMALL_CT})`;
}

type Fault = [string, (holder: string) => Promise<string>, boolean?];

const ONE_MEMBER: Fault[] = [
  ['none (baseline)', async () => 'no fault'],
  ['rolling update', rollingUpdate],
  ['rolling update, keep-alive clients', rollingUpdate, false],
  ['backend pod SIGKILL', killBackend],
  ['agent SIGKILL + restart, client node (server)', () => agentCrash('server')],
  ['agent SIGKILL + restart, announcing node', (holder) => agentCrash(holder)],
  ['operator restart', () => restarted('operator')],
  ['etcd restart', () => restarted('etcd')],
];

const THREE_MEMBERS: Fault[] = [
  ['3 etcd members: none (baseline)', async () => 'no fault'],
  ['3 etcd members: leader SIGKILL', () => etcdMemberDown(etcdLeader, 'the leader')],
  ['3 etcd members: a follower SIGKILL', () => etcdMemberDown(() => etcdFollower(), 'a follower')],
  ['3 etcd members: rolling update after the leader change', rollingUpdate],
];

function etcdFollower(): string {
  const lead = etcdLeader();
  return etcdMemberHosts(3).find((h) => h !== lead) as string;
}

/** A fresh lab with `members` etcd members, the web Service, and each fault under load. */
async function phase(members: EtcdMembers, faults: Fault[], rows: Row[], agentFlags = ''): Promise<void> {
  await freshLab(agentFlags, () => {}, { etcdMembers: members });
  const store = labStore();
  try {
    applyText(
      `${SEED_POOL}\n---\n${SEED_POLICY}\n---\n${readFileSync('examples/lifecycle/web.yaml', 'utf8')}`,
    );
    if ((await settle()) === undefined) throw new Error('the web pods never became ready');
    const up = await until(60_000, () => {
      const r = waggle(['lab', 'exec', 'jumpbox', '--', 'curl', '-s', '-m', '1', `http://${LB_IP}/`]);
      return r.stdout.includes('Welcome to nginx!') ? true : undefined;
    });
    if (!up) throw new Error(`${LB_IP} does not answer the jumpbox`);
    const clusterIP = JSON.parse(waggle(['get', 'svc', 'web', '-o', 'json']).stdout).spec.clusterIP as string;
    const holder = (await holderOf(store, leaseName('default', 'web'))) ?? 'node-0';
    for (const [fault, run, newConnections] of faults) {
      const r = await underLoad(clusterIP, () => run(holder), newConnections ?? true);
      const back = await settle();
      const note = `${r.note}; ${back === undefined ? 'web pods NOT back to 2 ready within 90 s' : `2 ready again after ${back} ms`}`;
      const name = fault.endsWith('announcing node') ? `${fault} (${holder})` : fault;
      rows.push({ fault: name, ...r, note });
      process.stdout.write(`${name}: ${r.clusterIP.failed} + ${r.lb.failed} failed (${note})\n`);
      if (back === undefined) {
        process.stdout.write(`${waggle(['get', 'pods', '-o', 'wide']).stdout}\n`);
        break;
      }
    }
  } finally {
    await store.close();
    await resetLab();
  }
}

/** A TCP conntrack map this small overflows many times a second under the new-connection load. */
const SMALL_CT = 512;
const SMALL_CONNTRACK: Fault[] = [
  [`conntrack map of ${SMALL_CT} entries, under new connections`, conntrackOverflow],
];

async function main(): Promise<void> {
  const rows: Row[] = [];
  await phase(1, ONE_MEMBER, rows);
  await phase(3, THREE_MEMBERS, rows);
  await phase(1, SMALL_CONNTRACK, rows, `--bpf-ct-global-tcp-max ${SMALL_CT}`);
  const cell = (w: WrkRun) => `${w.failed} of ${w.requests}`;
  const kinds = (w: WrkRun) =>
    w.failed === 0
      ? '-'
      : Object.entries({ ...w.socketErrors, non2xx: w.non2xx })
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ');
  printTable(
    `Service faults under wrk (${SECONDS} s, 4 connections each, fault at ${FAULT_AT_MS / 1000} s)`,
    [
      ['fault', 'ClusterIP from server: failed', 'LB IP from jumpbox: failed', 'failures', 'note'],
      ...rows.map((r) => [
        r.fault,
        cell(r.clusterIP),
        cell(r.lb),
        `${kinds(r.clusterIP)} / ${kinds(r.lb)}`,
        r.note,
      ]),
    ],
  );
  writeResult('service-faults', {
    seconds: SECONDS,
    faultAtMs: FAULT_AT_MS,
    rows: rows.map((r) => ({
      fault: r.fault,
      note: r.note,
      clusterIP: {
        requests: r.clusterIP.requests,
        failed: r.clusterIP.failed,
        errors: r.clusterIP.socketErrors,
        non2xx: r.clusterIP.non2xx,
      },
      lb: { requests: r.lb.requests, failed: r.lb.failed, errors: r.lb.socketErrors, non2xx: r.lb.non2xx },
    })),
  });
}

runBench('service-faults', main);

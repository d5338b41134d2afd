// The lab's store: one etcd member on server (the default, as the seed's single control-plane
// node), or three — server, node-0 and node-1 (`waggle lab up --etcd-members 3`) — so the
// store's own failures can be tried: a member or the leader killed while the cluster keeps its
// quorum. Members talk over eth1 (peer :2380, client :2379); each also listens on a unix socket
// under the lab's state for host-side CLI commands, which have no lab address by design.
import { join } from 'node:path';
import { ETCD_DATA_DIR, ETCD_SOCKET, STATE_DIR } from './paths.js';
import { hostByName } from './topology.js';

export type EtcdMembers = 1 | 3;

const MEMBER_HOSTS: Record<EtcdMembers, readonly string[]> = {
  1: ['server'],
  3: ['server', 'node-0', 'node-1'],
};

export function parseEtcdMembers(v: string): EtcdMembers {
  if (v === '1' || v === '3') return Number(v) as EtcdMembers;
  throw new Error(
    `--etcd-members "${v}": must be 1 or 3 (a cluster keeps quorum with one member down only from 3)`,
  );
}

export function etcdMemberHosts(n: EtcdMembers): readonly string[] {
  return MEMBER_HOSTS[n];
}

function eth1(host: string): string {
  const ip = hostByName(host)
    .ifaces.find((i) => i.dev === 'eth1')
    ?.cidr.split('/')[0];
  if (!ip) throw new Error(`lab: ${host} has no eth1 address for etcd`);
  return ip;
}

/** The etcd name of the member on `host` (the single member keeps its old name). */
export function etcdMemberName(host: string, n: EtcdMembers): string {
  return n === 1 ? 'waggle-lab' : `waggle-lab-${host}`;
}

/** Its unix socket (etcd wants host:port form, so the file name carries ":2379"). */
export function etcdSocket(host: string, n: EtcdMembers): string {
  return n === 1 ? ETCD_SOCKET : join(STATE_DIR, `etcd-${host}.sock:2379`);
}

export function etcdDataDir(host: string, n: EtcdMembers): string {
  return n === 1 ? ETCD_DATA_DIR : join(STATE_DIR, `etcd-data-${host}`);
}

export function etcdClientUrl(host: string): string {
  return `http://${eth1(host)}:2379`;
}

/** The store URL the lab's processes use: every member, so the client fails over. */
export function labStoreUrl(n: EtcdMembers): string {
  return `etcd://${etcdMemberHosts(n)
    .map((h) => `${eth1(h)}:2379`)
    .join(',')}`;
}

/** The store URL host-side CLI commands use: every member's unix socket. */
export function hostStoreUrl(n: EtcdMembers): string {
  return `etcd+unix://${etcdMemberHosts(n)
    .map((h) => etcdSocket(h, n))
    .join(',')}`;
}

/** `etcd` arguments for the member on `host` (after the binary's name). */
export function etcdMemberArgs(host: string, n: EtcdMembers): string[] {
  const client = etcdClientUrl(host);
  const peer = (h: string) => (n === 1 ? 'http://127.0.0.1:2380' : `http://${eth1(h)}:2380`);
  const socket = etcdSocket(host, n).slice(STATE_DIR.length + 1);
  const cluster = etcdMemberHosts(n)
    .map((h) => `${etcdMemberName(h, n)}=${peer(h)}`)
    .join(',');
  return [
    ...['--name', etcdMemberName(host, n), '--data-dir', etcdDataDir(host, n)],
    // The unix listener is relative to the cwd (STATE_DIR).
    ...['--listen-client-urls', `${client},unix://${socket}`, '--advertise-client-urls', client],
    // One member keeps peer traffic on the server namespace's own loopback.
    ...['--listen-peer-urls', peer(host), '--initial-advertise-peer-urls', peer(host)],
    ...['--initial-cluster', cluster],
    ...(n === 1 ? [] : ['--initial-cluster-token', 'waggle-lab', '--initial-cluster-state', 'new']),
  ];
}

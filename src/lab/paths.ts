// Where the lab keeps its state. Everything lives under /run (tmpfs on most hosts, gone after a
// reboot, like the namespaces it describes), and `lab down` removes all of it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STATE_DIR = '/run/waggle/lab';
export const LOG_DIR = join(STATE_DIR, 'logs');
export const PID_DIR = join(STATE_DIR, 'pids');
/** Markers for components stopped on purpose (`lab kill`): the supervisor leaves them down. */
export const STOPPED_DIR = join(STATE_DIR, 'stopped');
/** One private bpffs for the lab: `ip netns exec` remounts /sys, so /sys/fs/bpf is no use here. */
export const BPFFS_DIR = join(STATE_DIR, 'bpffs');
export const ETCD_DATA_DIR = join(STATE_DIR, 'etcd-data');
/** What the supervisor runs, written by `lab up`. */
export const COMPONENTS_FILE = join(STATE_DIR, 'components.json');
/** Read by the CLI's store selection when no --store is given. */
export const STORE_URL_FILE = join(STATE_DIR, 'store-url');
/**
 * etcd also listens on this unix socket (etcd wants host:port form, so the file name carries
 * ":2379"). Host-side CLI commands reach the store through it: the host namespace has no lab
 * address, by design, and a unix socket is a file, not a network address.
 */
export const ETCD_SOCKET = join(STATE_DIR, 'etcd.sock:2379');
export const SUPERVISOR_PID = join(PID_DIR, 'supervisor.pid');

export function pinDir(node: string): string {
  return join(BPFFS_DIR, node);
}

/** An agent's --state-dir (endpoint records): inside STATE_DIR, so `lab down` removes it. */
export function agentStateDir(node: string): string {
  return join(STATE_DIR, 'agents', node);
}

/** The agent API socket; the CLI's default for `--node NAME`. */
export function agentSocket(node: string): string {
  return `/run/waggle/${node}/agent.sock`;
}

/** The repository root (this file is dist/src/lab/paths.js once compiled). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WAGGLE_BIN = join(REPO_ROOT, 'bin', 'waggle.js');

/** The lab kubelets' root (a shared mount; see kubelet/mounts.ts): <dir>/<node>/pods/<uid>/. */
export const KUBELET_DIR = join(STATE_DIR, 'kubelet');

/** Where `lab up` runs `waggle cni install` for a node: the launcher and the conflist. */
export function cniBinDir(node: string): string {
  return join(STATE_DIR, 'cni', node, 'bin');
}

export function cniConfDir(node: string): string {
  return join(STATE_DIR, 'cni', node, 'net.d');
}

/** The lab's cgroup subtree bound where the lab agents see it (cgroup-view.ts); not under STATE_DIR. */
export const LAB_CGROUP_VIEW = '/run/waggle/lab-cgroup';

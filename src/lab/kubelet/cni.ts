// The kubelet's side of CNI, as a container runtime does it (containernetworking/cni libcni):
// the network is the conflist that sorts first in the conf dir; each plugin is the executable
// named by its `type` in CNI_PATH, run with CNI_* variables and its config on stdin. In a
// conflist each plugin gets the list's name and cniVersion and, after the first, the previous
// result as prevResult; DEL runs the list in reverse and succeeds on what is already gone.
// CNI_ARGS carries the pod's identity as the kubelet's dockershim/CRI did:
// IgnoreUnknown=1;K8S_POD_NAMESPACE=…;K8S_POD_NAME=…;K8S_POD_INFRA_CONTAINER_ID=…;K8S_POD_UID=…
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Conflist {
  cniVersion: string;
  name: string;
  plugins: Array<Record<string, unknown> & { type: string }>;
}

export interface CniTarget {
  confDir: string;
  /** CNI_PATH: the lab's bin dir first, then the upstream plugins (/usr/lib/cni). */
  binDirs: string[];
}

export interface PodNetwork {
  sandboxId: string;
  netns: string;
  namespace: string;
  name: string;
  uid: string;
}

export function loadConflist(confDir: string): { file: string; list: Conflist } {
  let files: string[] = [];
  try {
    files = readdirSync(confDir)
      .filter((f) => f.endsWith('.conflist'))
      .sort();
  } catch {
    // reported below
  }
  const file = files[0];
  if (!file) throw new Error(`cni: no .conflist in ${confDir} (run \`waggle cni install\`)`);
  const list = JSON.parse(readFileSync(join(confDir, file), 'utf8')) as Conflist;
  if (!Array.isArray(list.plugins) || list.plugins.length === 0)
    throw new Error(`cni: ${join(confDir, file)}: plugins: must not be empty`);
  return { file: join(confDir, file), list };
}

function pluginPath(type: string, dirs: string[]): string {
  for (const d of dirs) if (existsSync(join(d, type))) return join(d, type);
  throw new Error(`cni: plugin "${type}" not found in CNI_PATH ${dirs.join(':')}`);
}

export function cniArgs(p: PodNetwork): string {
  return [
    'IgnoreUnknown=1',
    `K8S_POD_NAMESPACE=${p.namespace}`,
    `K8S_POD_NAME=${p.name}`,
    `K8S_POD_INFRA_CONTAINER_ID=${p.sandboxId}`,
    `K8S_POD_UID=${p.uid}`,
  ].join(';');
}

function runPlugin(path: string, env: Record<string, string>, config: unknown, timeoutMs = 30_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(config));
  });
}

async function runList(
  command: 'ADD' | 'DEL',
  t: CniTarget,
  p: PodNetwork,
  prevResult?: unknown,
): Promise<unknown> {
  const { list } = loadConflist(t.confDir);
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: p.sandboxId,
    CNI_NETNS: p.netns,
    CNI_IFNAME: 'eth0',
    CNI_PATH: t.binDirs.join(':'),
    CNI_ARGS: cniArgs(p),
  };
  const plugins = command === 'ADD' ? list.plugins : [...list.plugins].reverse();
  let prev = prevResult;
  for (const plugin of plugins) {
    const config = {
      ...plugin,
      name: list.name,
      cniVersion: list.cniVersion,
      ...(prev ? { prevResult: prev } : {}),
    };
    const r = await runPlugin(pluginPath(plugin.type, t.binDirs), env, config);
    if (r.code !== 0) {
      let msg = r.stderr.trim() || r.stdout.trim();
      try {
        const e = JSON.parse(r.stdout) as { msg?: string; details?: string };
        msg = [e.msg, e.details].filter(Boolean).join(': ') || msg;
      } catch {
        // not a CNI error object
      }
      throw new Error(`cni ${command} ${plugin.type} for pod ${p.namespace}/${p.name}: ${msg}`);
    }
    if (command === 'ADD') prev = JSON.parse(r.stdout);
  }
  return prev;
}

/** ADD through the whole list; returns the final result (interfaces, ips, routes). */
export function cniAdd(t: CniTarget, p: PodNetwork): Promise<unknown> {
  return runList('ADD', t, p);
}

export async function cniDel(t: CniTarget, p: PodNetwork, prevResult: unknown): Promise<void> {
  await runList('DEL', t, p, prevResult);
}

/** The addresses of a CNI result, without prefix length. */
export function resultIPs(result: unknown): string[] {
  const ips = (result as { ips?: Array<{ address?: string }> } | undefined)?.ips ?? [];
  return ips.flatMap((i) => (i.address ? [i.address.split('/')[0] as string] : []));
}

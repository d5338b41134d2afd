// A container runtime's side of CNI, as libcni does it (containernetworking/cni libcni/api.go):
// plugins are executables found in CNI_PATH by their `type`, called with CNI_* environment
// variables and the network config on stdin; in a conflist each plugin gets the name and
// cniVersion of the list and, after the first, the previous plugin's result as `prevResult`;
// DEL runs the list in reverse. Used by the e2e tests to call waggle-cni exactly as a runtime.
import { spawn } from 'node:child_process';

export interface Attachment {
  containerId: string;
  netns: string;
  ifname: string;
  /** CNI_ARGS, e.g. K8S_POD_NAMESPACE=default;K8S_POD_NAME=web */
  args?: string;
}

export interface PluginCall {
  code: number;
  stdout: string;
  stderr: string;
  json: unknown;
  ms: number;
}

export interface Conflist {
  cniVersion: string;
  name: string;
  plugins: Array<Record<string, unknown> & { type: string }>;
}

/** Runs one plugin binary (in the given network namespace of the node, via nsenter if set). */
export function callPlugin(opts: {
  path: string;
  cniPath: string;
  command: string;
  att: Attachment;
  config: unknown;
  /** Run inside this node namespace (ip netns name), as the node's runtime would. */
  nodeNetns?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
}): Promise<PluginCall> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: opts.command,
    CNI_CONTAINERID: opts.att.containerId,
    CNI_NETNS: opts.att.netns,
    CNI_IFNAME: opts.att.ifname,
    CNI_PATH: opts.cniPath,
    ...(opts.att.args ? { CNI_ARGS: opts.att.args } : {}),
  };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const [cmd, args] = opts.nodeNetns
    ? ['ip', ['netns', 'exec', opts.nodeNetns, opts.path]]
    : [opts.path, [] as string[]];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, args as string[], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json, ms: Date.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? JSON.stringify(opts.config));
  });
}

/** ADD through a whole conflist; returns the last plugin's result (or the first failure). */
export async function addList(
  list: Conflist,
  att: Attachment,
  where: { binDir: (type: string) => string; cniPath: string; nodeNetns?: string },
): Promise<PluginCall> {
  let prev: unknown;
  let last: PluginCall | undefined;
  for (const plugin of list.plugins) {
    const config = {
      ...plugin,
      name: list.name,
      cniVersion: list.cniVersion,
      ...(prev ? { prevResult: prev } : {}),
    };
    last = await callPlugin({
      path: where.binDir(plugin.type),
      cniPath: where.cniPath,
      command: 'ADD',
      att,
      config,
      ...(where.nodeNetns ? { nodeNetns: where.nodeNetns } : {}),
    });
    if (last.code !== 0) return last;
    prev = last.json;
  }
  if (!last) throw new Error('conflist has no plugins');
  return last;
}

/** DEL through a conflist in reverse, each with the ADD result as prevResult (if known). */
export async function delList(
  list: Conflist,
  att: Attachment,
  prevResult: unknown,
  where: { binDir: (type: string) => string; cniPath: string; nodeNetns?: string },
): Promise<PluginCall[]> {
  const out: PluginCall[] = [];
  for (const plugin of [...list.plugins].reverse()) {
    const config = {
      ...plugin,
      name: list.name,
      cniVersion: list.cniVersion,
      ...(prevResult ? { prevResult } : {}),
    };
    out.push(
      await callPlugin({
        path: where.binDir(plugin.type),
        cniPath: where.cniPath,
        command: 'DEL',
        att,
        config,
        ...(where.nodeNetns ? { nodeNetns: where.nodeNetns } : {}),
      }),
    );
  }
  return out;
}

// The CNI parameters from the environment (CNI spec section 2 "Parameters"), each checked for the
// command that needs it; an error names the variable (code 4).
import { invalidEnv } from './errors.js';

export const COMMANDS = ['ADD', 'DEL', 'CHECK', 'VERSION', 'STATUS', 'GC'] as const;
export type CniCommand = (typeof COMMANDS)[number];

export interface CniEnv {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifname: string;
  args: Record<string, string>;
}

/** Which variables each command requires (the spec's "Required environment parameters"). */
const REQUIRED: Record<CniCommand, readonly string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  // DEL must work after the netns is gone, so CNI_NETNS is optional.
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  GC: ['CNI_PATH'],
  STATUS: [],
  VERSION: [],
};

// Container ID: "alphanumeric, then alphanumeric, underscore, dot or hyphen" (CNI spec section 2).
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// Linux interface names: at most IFNAMSIZ-1 = 15 bytes, no '/', ':' or whitespace, not "." / "..".
const IFNAME = /^[^/:\s]{1,15}$/;

export function parseCommand(env: NodeJS.ProcessEnv): CniCommand {
  const cmd = env.CNI_COMMAND;
  if (cmd === undefined || cmd === '') throw invalidEnv('CNI_COMMAND', 'missing');
  if (!(COMMANDS as readonly string[]).includes(cmd))
    throw invalidEnv('CNI_COMMAND', `"${cmd}" is not one of ${COMMANDS.join(', ')}`);
  return cmd as CniCommand;
}

export function parseEnv(command: CniCommand, env: NodeJS.ProcessEnv): CniEnv {
  for (const name of REQUIRED[command]) if (!env[name]) throw invalidEnv(name, 'missing');
  const containerId = env.CNI_CONTAINERID ?? '';
  const ifname = env.CNI_IFNAME ?? '';
  if (containerId !== '' && !CONTAINER_ID.test(containerId))
    throw invalidEnv('CNI_CONTAINERID', `"${containerId}" must be alphanumeric, then [A-Za-z0-9_.-]`);
  if (ifname !== '' && (!IFNAME.test(ifname) || ifname === '.' || ifname === '..'))
    throw invalidEnv('CNI_IFNAME', `"${ifname}" is not a Linux interface name (1-15 bytes, no / : or space)`);
  return { command, containerId, netns: env.CNI_NETNS ?? '', ifname, args: parseCniArgs(env.CNI_ARGS ?? '') };
}

/**
 * CNI_ARGS: `K=V` pairs separated by `;` (e.g. kubelet's
 * `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;...`). Empty pairs (a trailing
 * `;`) are skipped; a pair without `=` or with an empty key is an error; a value may contain `=`.
 */
export function parseCniArgs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalidEnv('CNI_ARGS', `"${pair}" is not K=V`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

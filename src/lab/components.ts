// What the lab runs, and where: etcd and `waggle operator` on server, `waggle agent` on server,
// node-0 and node-1. The list is computed at `lab up` from the waggle commands that exist in this
// build, so the lab runs whatever is ready and says what it skipped.
import { readFileSync, writeFileSync } from 'node:fs';
import { sh } from '../testing/exec.js';
import { agentTimingArgs } from './agent-timings.js';
import { labAgentCgroupRoot } from './cgroup-view.js';
import {
  agentSocket,
  agentStateDir,
  cniBinDir,
  cniConfDir,
  KUBELET_DIR,
  COMPONENTS_FILE,
  pinDir,
  REPO_ROOT,
  STATE_DIR,
  WAGGLE_BIN,
} from './paths.js';
import {
  type EtcdMembers,
  etcdMemberArgs,
  etcdMemberHosts,
  etcdSocket,
  labStoreUrl,
} from './etcd-members.js';
import { CONTROL_PLANE_LABEL, HOSTS, hostByName } from './topology.js';

export interface Component {
  /** `<component>-<host>`, e.g. `agent-node-1`: names the pid file, log and stop marker. */
  id: string;
  component: 'etcd' | 'operator' | 'agent' | 'controller-manager' | 'kubelet';
  host: string;
  netns: string;
  /** The command run inside the namespace (after `ip netns exec <netns>`). */
  argv: string[];
  /**
   * Join only the network namespace (`nsenter --net`), keeping the host's mount namespace and
   * /sys: the kubelet's pod namespace mounts must reach the agent, and it needs the cgroup fs.
   */
  hostMounts?: boolean;
  cwd: string;
  /** Sockets a killed run leaves behind; removed before each start (a stale one blocks bind). */
  staleFiles: string[];
}

/** A substring of the running process's /proc cmdline that proves it is this component. */
export function markerOf(c: Component): string {
  return c.argv.join(' ');
}

export function componentId(component: string, host: string): string {
  return `${component}-${host}`;
}

/** The subcommands and agent options this build of waggle offers, read from its own --help. */
export interface Capabilities {
  commands: Set<string>;
  agentOptions: Set<string>;
}

function optionsIn(help: string): Set<string> {
  return new Set([...help.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)].map((m) => m[1] as string));
}

export function detectCapabilities(): Capabilities {
  const help = sh(process.execPath, [WAGGLE_BIN, '--help'], { allowFail: true }).stdout;
  const section = help.split(/^Commands:$/m)[1] ?? '';
  const commands = new Set([...section.matchAll(/^ {2}([a-z][a-z0-9-]*)/gm)].map((m) => m[1] as string));
  const agentOptions = commands.has('agent')
    ? optionsIn(sh(process.execPath, [WAGGLE_BIN, 'agent', '--help'], { allowFail: true }).stdout)
    : new Set<string>();
  return { commands, agentOptions };
}

function etcd(host: string, members: EtcdMembers): Component {
  return {
    id: componentId('etcd', host),
    component: 'etcd',
    host,
    netns: hostByName(host).netns,
    cwd: STATE_DIR,
    staleFiles: [etcdSocket(host, members)],
    argv: ['etcd', ...etcdMemberArgs(host, members)],
  };
}

function waggle(component: 'operator' | 'agent', host: string, args: string[]): Component {
  return {
    id: componentId(component, host),
    component,
    host,
    netns: hostByName(host).netns,
    cwd: REPO_ROOT,
    staleFiles: component === 'agent' ? [agentSocket(host)] : [],
    argv: [process.execPath, WAGGLE_BIN, component, ...args],
  };
}

function agentArgs(host: string, caps: Capabilities, store: string): string[] {
  const args = [
    '--node',
    host,
    '--store',
    store,
    '--pin-dir',
    pinDir(host),
    '--api-socket',
    agentSocket(host),
    // Endpoint records under the lab's state, which `lab down` removes whole.
    ...(caps.agentOptions.has('--state-dir') ? ['--state-dir', agentStateDir(host)] : []),
    ...agentTimingArgs(caps),
    ...seedDatapathArgs(caps),
    ...labSocketLbArgs(host, caps),
    // Seed 001's ingressController.enabled=true: the node proxy behind cilium-ingress-* Services.
    ...(caps.agentOptions.has('--enable-ingress-controller') ? ['--enable-ingress-controller'] : []),
  ];
  const labels = Object.entries(hostByName(host).labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0 && caps.agentOptions.has('--node-labels'))
    args.push('--node-labels', labels.join(','));
  return [...args, ...extraAgentFlags(caps)];
}

/**
 * Cilium's settings in the seeds (001: routingMode=native, ipv4NativeRoutingCIDR=10.200.0.0/22,
 * the Nodes' PodCIDRs; 004: autoDirectNodeRoutes=true, endpointRoutes), for the options this
 * build has. The Nodes' spec.podCIDRs come from the lab's controller manager, as from
 * kube-controller-manager's node IPAM in the seed's cluster.
 */
export const SEED_NATIVE_ROUTING_CIDR = '10.200.0.0/22';

function seedDatapathArgs(caps: Capabilities): string[] {
  const wanted: Array<[string, ...string[]]> = [
    ['--ipam', 'kubernetes'],
    ['--routing-mode', 'native'],
    ['--ipv4-native-routing-cidr', SEED_NATIVE_ROUTING_CIDR],
    ['--auto-direct-node-routes'],
    ['--enable-endpoint-routes'],
  ];
  return wanted.filter(([flag]) => caps.agentOptions.has(flag)).flat();
}

/**
 * Socket LB on the node's own cgroup subtree, where its kubelet puts the pods and `lab exec` puts
 * the node's commands (seed 001 curls a ClusterIP from `server`): the lab's nodes share one
 * kernel, so each agent attaches to its subtree only, never to the host's root cgroup.
 */
function labSocketLbArgs(host: string, caps: Capabilities): string[] {
  if (caps.agentOptions.has('--cgroup-root')) return ['--cgroup-root', labAgentCgroupRoot(host)];
  return caps.agentOptions.has('--no-bpf-lb-sock') ? ['--no-bpf-lb-sock'] : [];
}

/**
 * Extra `waggle agent` flags for every lab agent, e.g. the lease timings the benchmarks compare:
 * WAGGLE_LAB_AGENT_FLAGS="--l2-announcements-lease-duration 1s --l2-announcements-retry-period 200ms".
 * Read by `lab up`; a different value changes the plan, so `lab up` restarts the agents with it,
 * and `lab up` without it goes back to the defaults. Unknown flags fail here, not in a crash loop.
 */
export const AGENT_FLAGS_ENV = 'WAGGLE_LAB_AGENT_FLAGS';

function extraAgentFlags(caps: Capabilities): string[] {
  const words = (process.env[AGENT_FLAGS_ENV] ?? '').split(/\s+/).filter(Boolean);
  for (const w of words.filter((x) => x.startsWith('--')).map((x) => x.split('=')[0] as string))
    if (!caps.agentOptions.has(w))
      throw new Error(`lab up: ${AGENT_FLAGS_ENV}: ${w}: not a \`waggle agent\` option`);
  return words;
}

/**
 * The lab's control plane (src/lab/control-plane) on server, with the seed's PodCIDRs pinned and
 * the seed's control-plane node tainted. Always planned: it is part of this build's lab.
 */
function controllerManager(store: string): Component {
  const hosts = HOSTS.filter((h) => h.agent);
  return {
    id: componentId('controller-manager', 'server'),
    component: 'controller-manager',
    host: 'server',
    netns: hostByName('server').netns,
    cwd: REPO_ROOT,
    staleFiles: [],
    argv: [
      ...[process.execPath, WAGGLE_BIN, 'lab', 'controller-manager', '--store', store],
      ...hosts.flatMap((h) => (h.podCidr ? ['--node-cidr', `${h.name}=${h.podCidr}`] : [])),
      ...hosts
        .filter((h) => CONTROL_PLANE_LABEL in h.labels)
        .flatMap((h) => ['--control-plane-node', h.name]),
    ],
  };
}

/** The node's kubelet: its pods join the node's cgroup subtree and reach the node's agent. */
function kubelet(host: string, store: string): Component {
  const eth1 = hostByName(host)
    .ifaces.find((i) => i.dev === 'eth1')
    ?.cidr.split('/')[0];
  return {
    ...waggle('agent', host, []),
    id: componentId('kubelet', host),
    component: 'kubelet',
    staleFiles: [],
    hostMounts: true,
    argv: [
      ...[process.execPath, WAGGLE_BIN, 'lab', 'kubelet', '--node', host, '--store', store],
      ...['--cni-conf-dir', cniConfDir(host), '--cni-bin-dir', cniBinDir(host), '--root-dir', KUBELET_DIR],
      ...(eth1 ? ['--node-ip', eth1] : []),
    ],
  };
}

/** The components to supervise, and a line for each one this build cannot run yet. */
export function planComponents(
  caps: Capabilities,
  members: EtcdMembers = 1,
): { components: Component[]; skipped: string[] } {
  const store = labStoreUrl(members);
  const components: Component[] = etcdMemberHosts(members).map((h) => etcd(h, members));
  const skipped: string[] = [];
  if (caps.commands.has('operator')) {
    components.push(waggle('operator', 'server', ['--store', store]));
  } else skipped.push('operator: `waggle operator` does not exist in this build');
  components.push(controllerManager(store));
  const agents = HOSTS.filter((h) => h.agent).map((h) => h.name);
  if (caps.commands.has('agent')) {
    for (const h of agents) components.push(waggle('agent', h, agentArgs(h, caps, store)));
    for (const h of agents) components.push(kubelet(h, store));
    if (!caps.agentOptions.has('--node-labels')) {
      skipped.push('agent: no --node-labels option, so server is not labelled control-plane');
    }
  } else skipped.push(`agent (${agents.join(', ')}): \`waggle agent\` does not exist in this build`);
  return { components, skipped };
}

export function saveComponents(components: Component[]): void {
  writeFileSync(COMPONENTS_FILE, `${JSON.stringify(components, null, 2)}\n`);
}

export function loadComponents(): Component[] {
  try {
    return JSON.parse(readFileSync(COMPONENTS_FILE, 'utf8')) as Component[];
  } catch {
    return [];
  }
}

export function findComponent(component: string, host: string | undefined): Component {
  const all = loadComponents();
  const matches = all.filter((c) => c.component === component && (host === undefined || c.host === host));
  const ids = all.map((c) => `${c.component} ${c.host}`).join(', ') || 'none; is the lab up?';
  if (matches.length === 0)
    throw new Error(`lab: no component "${component}${host ? ` ${host}` : ''}" (running: ${ids})`);
  if (matches.length > 1) throw new Error(`lab: "${component}" runs on several hosts; name one (${ids})`);
  return matches[0] as Component;
}

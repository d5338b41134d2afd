// The scenarios, named as cilium-cli's connectivity tests (cilium-cli/connectivity/builder/) where
// one exists, and split by node where cilium-cli runs one test over several nodes: here each
// scenario lists the nodes it involves, so that a broken node fails exactly the scenarios that
// list it. Why that holds with a killed agent (`waggle lab kill agent node-1`): its eBPF programs
// stay attached and traffic through already-made pods keeps flowing (by design), but the test
// deploys fresh pods every run and no pod can be created on a node without its agent (CNI ADD
// needs the agent), its health listener (:4240 on the node's address) is down, and its
// metrics cannot be read. So every scenario that involves node-1 either needs a pod there
// (client2, echo-other), probes node-1's :4240, or reads node-1's metrics, and none that leaves
// node-1 out touches anything of node-1.
import {
  curlFromHost,
  curlFromHostUntil,
  curlFromPod,
  type Env,
  isOutcome,
  type Outcome,
  pingFromPod,
  podOf,
  whoamiOf,
} from './actions.js';
import { hostByName } from '../topology.js';
import { type EchoService, LB_IP, LB_SERVICE, type Role } from './deploy.js';
import { externalCheck, type External, JUMPBOX_IP } from './external.js';

export interface Step {
  desc: string;
  outcome: Outcome;
}

export type RunScenario = (env: Env, ext: External) => Promise<Step[]>;

export interface Scenario {
  name: string;
  /** The lab hosts whose failure must fail this scenario. */
  nodes: readonly string[];
  /** Why it cannot run here; skipped scenarios are counted as skipped, never as passed. */
  skip?: string;
  run?: RunScenario;
}

/** The eth1 addresses (InternalIP) of the nodes, as in the seed. */
export const NODE_IPS: Readonly<Record<string, string>> = {
  server: '192.168.56.20',
  'node-0': '192.168.56.50',
  'node-1': '192.168.56.60',
};

const failed = (desc: string, o: Outcome): Step[] => [{ desc, outcome: o }];

function podToPod(to: Role): RunScenario {
  return async (env) => {
    const target = podOf(env, to);
    if (isOutcome(target)) return failed(`client → ${to}`, target);
    const url = `http://${target.ip}:80/`;
    return [
      { desc: `client → ${to} ${url}`, outcome: await curlFromPod(env, 'client', url, whoamiOf(target)) },
    ];
  };
}

/** Through the ClusterIP: any backend of the service answers (there is one per echo). */
function podToService(from: Role, svc: EchoService, expectSelf: boolean): RunScenario {
  return async (env) => {
    const ip = env.clusterIPs[svc];
    const desc = `${from} → service ${svc} ${ip ?? '<no ClusterIP>'}:80`;
    if (!ip) return failed(desc, { ok: false, shown: '', detail: `service ${svc} has no ClusterIP` });
    const self = podOf(env, from);
    const expect = expectSelf && !isOutcome(self) ? whoamiOf(self) : /^Hostname: /m;
    return [{ desc, outcome: await curlFromPod(env, from, `http://${ip}:80/`, expect) }];
  };
}

const noNodePort = (svc: EchoService): Outcome => ({
  ok: false,
  shown: '',
  detail: `service ${svc} has no nodePort`,
});

/** client → a node's address on an echo service's nodePort; the echo pod answers. */
function podToNodePort(node: string, svc: EchoService): RunScenario {
  return async (env) => {
    const port = env.nodePorts[svc];
    const url = `http://${NODE_IPS[node]}:${port ?? '<none>'}/`;
    const desc = `client → ${node} ${url} (${svc})`;
    if (!port) return failed(desc, noNodePort(svc));
    const target = podOf(env, svc);
    if (isOutcome(target)) return failed(desc, target);
    return [{ desc, outcome: await curlFromPod(env, 'client', url, whoamiOf(target)) }];
  };
}

function podToHost(node: string): RunScenario {
  return async (env) => {
    const ip = NODE_IPS[node] as string;
    return [
      { desc: `client → ${node} ${ip} (ICMP)`, outcome: await pingFromPod(env, 'client', ip) },
      {
        desc: `client → ${node} http://${ip}:4240/hello (the agent's health listener)`,
        outcome: await curlFromPod(env, 'client', `http://${ip}:4240/hello`, /^hello$/m),
      },
    ];
  };
}

function hostToPod(host: string, to: Role): RunScenario {
  return async (env) => {
    const target = podOf(env, to);
    if (isOutcome(target)) return failed(`${host} → ${to}`, target);
    const url = `http://${target.ip}:80/`;
    return [{ desc: `${host} → ${to} ${url}`, outcome: await curlFromHost(host, url, whoamiOf(target)) }];
  };
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'pod-to-pod/same-node', nodes: ['node-0'], run: podToPod('echo-same') },
  { name: 'pod-to-pod/other-node', nodes: ['node-0', 'node-1'], run: podToPod('echo-other') },
  {
    name: 'client-to-client',
    nodes: ['node-0', 'node-1'],
    run: async (env) => {
      const peer = podOf(env, 'client2');
      if (isOutcome(peer)) return failed('client → client2 (ICMP)', peer);
      const back = podOf(env, 'client');
      const steps = [
        { desc: `client → client2 ${peer.ip} (ICMP)`, outcome: await pingFromPod(env, 'client', peer.ip) },
      ];
      if (!isOutcome(back))
        steps.push({
          desc: `client2 → client ${back.ip} (ICMP)`,
          outcome: await pingFromPod(env, 'client2', back.ip),
        });
      return steps;
    },
  },
  { name: 'pod-to-service/same-node', nodes: ['node-0'], run: podToService('client', 'echo-same', false) },
  {
    name: 'pod-to-service/other-node',
    nodes: ['node-0', 'node-1'],
    run: podToService('client', 'echo-other', false),
  },
  // A whoami pod reaching its own service: socket LB turns the ClusterIP into the pod's own
  // address at connect(), so no hairpin NAT is needed (Cilium's "loopback" case).
  {
    name: 'pod-to-itself-via-service',
    nodes: ['node-0'],
    run: podToService('echo-same', 'echo-same', true),
  },
  { name: 'pod-to-host/same-node', nodes: ['node-0'], run: podToHost('node-0') },
  { name: 'pod-to-host/server', nodes: ['node-0', 'server'], run: podToHost('server') },
  { name: 'pod-to-host/other-node', nodes: ['node-0', 'node-1'], run: podToHost('node-1') },
  { name: 'host-to-pod/same-node', nodes: ['node-0'], run: hostToPod('node-0', 'echo-same') },
  { name: 'host-to-pod/other-node', nodes: ['server', 'node-1'], run: hostToPod('server', 'echo-other') },
  {
    name: 'pod-to-external',
    nodes: ['node-0'],
    run: async (env, ext) => [
      {
        desc: `client → jumpbox ${ext.url} (seen from ${NODE_IPS['node-0']}, masqueraded)`,
        outcome: await externalCheck(env, 'client', ext, NODE_IPS['node-0'] as string),
      },
    ],
  },
  // Socket LB matches the NodePort's surrogate frontend for any node address.
  { name: 'pod-to-local-nodeport', nodes: ['node-0'], run: podToNodePort('node-0', 'echo-same') },
  { name: 'pod-to-remote-nodeport', nodes: ['node-0', 'node-1'], run: podToNodePort('node-1', 'echo-other') },
  // node-0's from_netdev: the backend is local, and sees the jumpbox's own address.
  {
    name: 'outside-to-nodeport',
    nodes: ['node-0'],
    run: async (env) => {
      const port = env.nodePorts['echo-same'];
      const target = podOf(env, 'echo-same');
      const url = `http://${NODE_IPS['node-0']}:${port ?? '<none>'}/`;
      if (!port) return failed(`jumpbox → ${url}`, noNodePort('echo-same'));
      if (isOutcome(target)) return failed(`jumpbox → ${url}`, target);
      const seen = new RegExp(
        `${whoamiOf(target).source}[\\s\\S]*^RemoteAddr: ${JUMPBOX_IP.replaceAll('.', '\\.')}:`,
        'm',
      );
      return [
        {
          desc: `jumpbox → node-0 ${url} (echo-same, sees the jumpbox's address)`,
          outcome: await curlFromHost('jumpbox', url, seen),
        },
      ];
    },
  },
  // The test's L2 policy: node-0 answers ARP for the address; the backend runs on node-1, so the
  // request leaves node-0 with one of node-0's addresses and the reply is translated back there.
  {
    name: 'outside-to-loadbalancer',
    nodes: ['node-0', 'node-1'],
    run: async (env) => {
      const ip = env.lbIPs[LB_SERVICE];
      const target = podOf(env, 'echo-other');
      const url = `http://${ip ?? LB_IP}:80/`;
      const desc = `jumpbox → ${LB_SERVICE} ${url} (announced by node-0, backend on node-1)`;
      if (!ip)
        return failed(desc, {
          ok: false,
          shown: '',
          detail: `service ${LB_SERVICE} has no LoadBalancer address`,
        });
      if (isOutcome(target)) return failed(desc, target);
      // SNAT gives the address of node-0's device towards node-1 (whichever segment its route uses).
      const node0 = hostByName('node-0')
        .ifaces.map((i) => i.cidr.split('/')[0]?.replaceAll('.', '\\.'))
        .join('|');
      const seen = new RegExp(`${whoamiOf(target).source}[\\s\\S]*^RemoteAddr: (${node0}):`, 'm');
      return [{ desc, outcome: await curlFromHostUntil('jumpbox', url, seen, 10_000) }];
    },
  },
];

// `waggle agent`: runs the node agent in the foreground until SIGTERM/SIGINT, then exits within
// the deadline of src/lib/shutdown.ts whatever the store is doing (0 after a clean stop, 1 when
// the deadline cut it short, 128+n on a second signal).
import type { Command } from 'commander';
import { Agent, log } from '../agent/agent.js';
import { type AgentFlags, DEFAULT_NODE_STATUS_UPDATE_FREQUENCY, parseAgentFlags } from '../agent/flags.js';
import { runUntilSignal } from '../lib/shutdown.js';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run the node agent: datapath, liveness, L2 announcements, node status')
    .requiredOption('--node <name>', "this node's name (Node object, lease holder identity)")
    .option('--devices <regex,...>', 'native devices (regexes; "eth+" = prefix); default: auto-detect')
    .option('--agent-liveness-update-interval <dur>', 'how often to write AgentLiveness', '1s')
    .option(
      '--node-status-update-frequency <dur>',
      "how often to post the Node's Ready heartbeat",
      DEFAULT_NODE_STATUS_UPDATE_FREQUENCY,
    )
    .option(
      '--l2-announcements-lease-duration <dur>',
      'lease duration, also the datapath max liveness',
      '15s',
    )
    .option('--l2-announcements-renew-deadline <dur>', 'stop leading when not renewed within this', '5s')
    .option('--l2-announcements-retry-period <dur>', 'lease poll and renew period', '2s')
    .option('--gratuitous-arp-count <n>', 'gratuitous ARPs per new responder entry', '1')
    .option('--gratuitous-arp-interval <dur>', 'time between gratuitous ARPs', '1s')
    .option('--pin-dir <dir>', 'bpffs directory for pinned maps (default /sys/fs/bpf/waggle/<node>)')
    .option('--api-socket <path>', 'agent API socket (default /run/waggle/<node>/agent.sock)')
    .option('--metrics-addr <host:port>', 'serve Prometheus metrics on http://host:port/metrics')
    .option('--node-labels <k=v,...>', 'labels for the Node object when it is registered')
    .option('--map-sample-interval <dur>', 'how often BPF map occupancy is read for metrics', '10s')
    .option(
      '--ipam <mode>',
      "pod IPAM: kubernetes (Node.spec.podCIDRs) or cluster-pool (the operator's CiliumNode)",
      'cluster-pool',
    )
    .option(
      '--enable-endpoint-routes',
      'a route per pod (<podIP> dev lxc…) instead of the PodCIDR via waggle_host',
    )
    .option('--state-dir <dir>', 'endpoint state kept across restarts (default /run/waggle/<node>)')
    .option('--mtu <bytes>', 'MTU of pod interfaces', '1500')
    .option('--routing-mode <mode>', 'native (pod routes on the underlay); tunnel is not built yet', 'native')
    .option('--auto-direct-node-routes', "route every other node's PodCIDR via that node (same L2 segment)")
    .option(
      '--ipv4-native-routing-cidr <cidr>',
      'destinations reached without masquerading (the pod network)',
    )
    .option(
      '--enable-ipv4-masquerade [bool]',
      'masquerade pod traffic leaving the native routing CIDR (default true; =false: never)',
      true,
    )
    .option('--no-enable-ipv4-masquerade', 'the same as --enable-ipv4-masquerade=false')
    .option(
      '--enable-bpf-masquerade',
      'masquerade in eBPF (to_netdev on the native devices) instead of iptables',
    )
    .option(
      '--enable-host-legacy-routing [bool]',
      'route pod traffic through the host stack (default true); =false: eBPF host routing (FIB redirect) when the kernel has the helpers',
    )
    .option('--enable-ip-masq-agent', "also keep the ip-masq-agent config's nonMasqueradeCIDRs unmasqueraded")
    .option('--ip-masq-agent-config-path <file>', 'the ip-masq-agent config', '/etc/config/ip-masq-agent')
    .option(
      '--enable-ingress-controller',
      "run the node's HAProxy for Ingresses of class cilium (src/ingress)",
    )
    .option(
      '--ingress-http-port <port>',
      "the node proxy's http port (the ingress Services' endpoints)",
      '10080',
    )
    .option('--ingress-https-port <port>', "the node proxy's https port", '10443')
    .option('--haproxy-binary <path>', 'the HAProxy executable', 'haproxy')
    .option(
      '--bpf-lb-sock [bool]',
      'translate service addresses at connect()/sendmsg() (socket LB; default true; =false: per packet only)',
      true,
    )
    .option('--no-bpf-lb-sock', 'the same as --bpf-lb-sock=false')
    .option(
      '--cgroup-root <dir>',
      'cgroup v2 directory socket LB attaches to (default: the cgroup2 mount; one is mounted if none)',
    )
    .option(
      '--bpf-lb-map-max <n>',
      'entries of each service map (waggle_lb4_services_v2 rows, backends, service IDs)',
      '65536',
    )
    .option(
      '--enable-node-port [bool]',
      'serve LoadBalancer IPs, externalIPs and NodePorts to clients outside the node in eBPF; =false: only pods and the node itself reach services',
      true,
    )
    .option('--bpf-ct-global-tcp-max <n>', 'entries of the TCP conntrack map (waggle_ct4_global)', '131072')
    .option(
      '--bpf-ct-global-any-max <n>',
      'entries of the non-TCP conntrack map (waggle_ct_any4_global)',
      '65536',
    )
    .option(
      '--bpf-sock-rev-map-max <n>',
      'entries of the socket-LB reverse map (waggle_lb4_reverse_sk)',
      '262144',
    )
    .action(async (opts: Omit<AgentFlags, 'store'>, cmd: Command) => {
      const store = (cmd.optsWithGlobals() as { store?: string }).store ?? process.env.WAGGLE_STORE;
      if (!store)
        throw new Error('--store: required for the agent (e.g. etcd://127.0.0.1:2379, or env WAGGLE_STORE)');
      const cfg = parseAgentFlags({ ...opts, store }, (w) => log(`warning: ${w}`));
      const agent = new Agent(cfg);
      await runUntilSignal({
        name: 'agent',
        start: () => agent.start(),
        steps: [{ name: 'agent stop (lease release, liveness, store close)', run: () => agent.stop() }],
        log,
      });
    });
}

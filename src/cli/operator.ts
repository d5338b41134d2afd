// `waggle operator`: LB-IPAM and node lifecycle for the cluster (one operator per cluster).
import type { Command } from 'commander';
import { ClusterPool, DEFAULT_CLUSTER_POOL_MASK_SIZE } from '../ipam/cluster-pool.js';
import { parsePrefix } from '../lib/ip.js';
import { DEFAULT_SERVICE_CIDR } from '../lbipam/cluster-ip.js';
import { DEFAULT_NODE_PORT_RANGE, parsePortRange } from '../lbipam/node-ports.js';
import { parseDuration } from '../l2announcer/timings.js';
import { runOperator } from '../operator/operator.js';
import { createLogger } from '../lib/log.js';

interface Flags {
  serviceCidr: string;
  serviceNodePortRange: string;
  metricsAddr: string;
  resync: string;
  nodeMonitorPeriod: string;
  nodeMonitorGracePeriod: string;
  clusterPoolIpv4Cidr?: string;
  clusterPoolIpv4MaskSize: string;
  ingressDefaultLbMode: string;
}

function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (!(ms > 0)) throw new Error(`${flag} "${text}": must be > 0`);
  return ms;
}

export function registerOperator(program: Command): void {
  program
    .command('operator')
    .description(
      'allocate LoadBalancer IPs from CiliumLoadBalancerIPPools (LB-IPAM), clusterIPs and nodePorts; PodCIDRs per node (cluster-pool); mark silent Nodes Unknown',
    )
    .option('--service-cidr <cidr>', 'where clusterIPs come from', DEFAULT_SERVICE_CIDR)
    .option(
      '--service-node-port-range <low-high>',
      "where nodePorts come from (kube-apiserver's flag)",
      DEFAULT_NODE_PORT_RANGE,
    )
    .option('--metrics-addr <host:port>', 'Prometheus metrics endpoint (/metrics)', '127.0.0.1:9963')
    .option('--resync <seconds>', 'full resync period, the safety net of the watch', '300')
    .option('--node-monitor-period <dur>', 'how often Node heartbeats are checked', '5s')
    .option(
      '--node-monitor-grace-period <dur>',
      'heartbeat age after which a Node becomes Ready=Unknown',
      '40s',
    )
    .option(
      '--cluster-pool-ipv4-cidr <cidrs>',
      'cluster-pool IPAM: give each Node a PodCIDR from these CIDRs (comma list), on its CiliumNode',
    )
    .option(
      '--cluster-pool-ipv4-mask-size <bits>',
      "prefix length of each node's PodCIDR",
      String(DEFAULT_CLUSTER_POOL_MASK_SIZE),
    )
    .option(
      '--ingress-default-lb-mode <mode>',
      'dedicated (a LoadBalancer Service per Ingress) or shared (kube-system/cilium-ingress)',
      'dedicated',
    )
    .action(async (opts: Flags, cmd: Command) => {
      const store = (cmd.optsWithGlobals() as { store?: string }).store ?? process.env.WAGGLE_STORE;
      if (!store)
        throw new Error(
          '--store: required for the operator (e.g. etcd://127.0.0.1:2379, or env WAGGLE_STORE)',
        );
      const cidr = parsePrefix(opts.serviceCidr);
      if (!cidr.ok) throw new Error(`--service-cidr "${opts.serviceCidr}": ${cidr.error}`);
      const ports = parsePortRange(opts.serviceNodePortRange);
      if (!ports.ok)
        throw new Error(`--service-node-port-range "${opts.serviceNodePortRange}": ${ports.error}`);
      const resync = Number(opts.resync);
      if (!Number.isFinite(resync) || resync <= 0)
        throw new Error(`--resync "${opts.resync}": must be a positive number of seconds`);
      const nodeMonitorPeriodMs = positiveDuration(opts.nodeMonitorPeriod, '--node-monitor-period');
      const nodeMonitorGracePeriodMs = positiveDuration(
        opts.nodeMonitorGracePeriod,
        '--node-monitor-grace-period',
      );
      const clusterPoolIpv4Cidrs = (opts.clusterPoolIpv4Cidr ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c);
      const clusterPoolIpv4MaskSize = Number(opts.clusterPoolIpv4MaskSize);
      // Checked here so a bad flag fails before anything starts, with the flag's name.
      if (clusterPoolIpv4Cidrs.length > 0) {
        const pool = ClusterPool.create(clusterPoolIpv4Cidrs, clusterPoolIpv4MaskSize);
        if (!pool.ok) throw new Error(pool.error);
      }
      if (opts.ingressDefaultLbMode !== 'dedicated' && opts.ingressDefaultLbMode !== 'shared')
        throw new Error(
          `--ingress-default-lb-mode "${opts.ingressDefaultLbMode}": must be dedicated or shared`,
        );
      const log = createLogger('operator').info;
      await runOperator(
        {
          store,
          serviceCidr: opts.serviceCidr,
          nodePortRange: opts.serviceNodePortRange,
          metricsAddr: opts.metricsAddr,
          resyncMs: resync * 1000,
          nodeMonitorPeriodMs,
          nodeMonitorGracePeriodMs,
          clusterPoolIpv4Cidrs,
          clusterPoolIpv4MaskSize,
          ingressDefaultLbMode: opts.ingressDefaultLbMode,
        },
        log,
      );
    });
}

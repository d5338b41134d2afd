// The hidden `waggle lab controller-manager` subcommand: flags as kube-controller-manager names
// them where it has them (--cluster-cidr, --node-cidr-mask-size); --node-cidr pins a node's
// block and --control-plane-node names a node to taint, for the lab's seed topology.
import { type Command, Option } from 'commander';
import { createLogger } from '../../lib/log.js';
import { DEFAULT_CLUSTER_CIDR, runControllerManager } from './manager.js';

interface Flags {
  clusterCidr: string;
  nodeCidrMaskSize: string;
  nodeCidr: string[];
  controlPlaneNode: string[];
  resync: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function parseNodeCidrs(pairs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of pairs) {
    const m = /^([^=]+)=(.+)$/.exec(p);
    if (!m) throw new Error(`--node-cidr "${p}": must be NODE=CIDR, e.g. node-1=10.200.2.0/24`);
    out.set(m[1] as string, m[2] as string);
  }
  return out;
}

export function registerControllerManager(lab: Command): void {
  lab
    .command('controller-manager', { hidden: true })
    .description(
      "the lab's control plane: Deployments, ReplicaSets, the scheduler, EndpointSlices, node IPAM, GC",
    )
    .option('--cluster-cidr <cidr>', 'where node PodCIDRs come from', DEFAULT_CLUSTER_CIDR)
    .option('--node-cidr-mask-size <bits>', "prefix length of each node's PodCIDR", '24')
    .addOption(
      new Option('--node-cidr <node=cidr>', "pin a node's PodCIDR (repeatable)")
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option(
        '--control-plane-node <name>',
        'taint this node control-plane:NoSchedule when it joins (repeatable)',
      )
        .argParser(collect)
        .default([]),
    )
    .option('--resync <seconds>', 'full resync period of every controller', '30')
    .action(async (opts: Flags, cmd: Command) => {
      const store = (cmd.optsWithGlobals() as { store?: string }).store ?? process.env.WAGGLE_STORE;
      if (!store) throw new Error('--store: required (e.g. etcd://127.0.0.1:2379, or env WAGGLE_STORE)');
      const resync = Number(opts.resync);
      if (!(resync > 0)) throw new Error(`--resync "${opts.resync}": must be a positive number of seconds`);
      const mask = Number(opts.nodeCidrMaskSize);
      if (!Number.isInteger(mask))
        throw new Error(`--node-cidr-mask-size "${opts.nodeCidrMaskSize}": not a number`);
      await runControllerManager(
        {
          store,
          clusterCidr: opts.clusterCidr,
          nodeCidrMaskSize: mask,
          pinnedCidrs: parseNodeCidrs(opts.nodeCidr),
          controlPlaneNodes: opts.controlPlaneNode,
          resyncMs: resync * 1000,
        },
        createLogger('controller-manager').info,
      );
    });
}

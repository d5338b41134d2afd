// Node IPAM, pure: kube-controller-manager's --allocate-node-cidrs with the range allocator
// (pkg/controller/nodeipam/ipam/range_allocator.go): a Node without spec.podCIDRs gets the next
// free block of --node-cidr-mask-size from --cluster-cidr. The lab pins blocks by node name
// (--node-cidr server=10.200.0.0/24), so its nodes get the seed's exact PodCIDRs whatever order
// they register in; a pinned block is never handed to another node.
import type { Node } from '../../api/index.js';
import { formatAddr, type Prefix, parsePrefix, prefixRange } from '../../lib/ip.js';

export interface NodeIpamConfig {
  clusterCidr: string;
  /** --node-cidr-mask-size (24). */
  maskSize: number;
  /** Node name → the block it gets. */
  pinned: ReadonlyMap<string, string>;
}

export type CidrResult = { ok: true; cidr: string } | { ok: false; error: string };

function parse(text: string, what: string): Prefix {
  const p = parsePrefix(text);
  if (!p.ok) throw new Error(`node ipam: ${what} "${text}": ${p.error}`);
  return p.prefix;
}

/** Checks the configuration once, at start; throws a one-line error naming the flag. */
export function checkConfig(cfg: NodeIpamConfig): void {
  const cluster = parse(cfg.clusterCidr, '--cluster-cidr');
  if (cluster.family !== 4) throw new Error(`node ipam: --cluster-cidr ${cfg.clusterCidr}: IPv4 only`);
  if (cfg.maskSize < cluster.prefix || cfg.maskSize > 30)
    throw new Error(
      `node ipam: --node-cidr-mask-size ${cfg.maskSize} must be between /${cluster.prefix} and /30`,
    );
  for (const [node, cidr] of cfg.pinned) parse(cidr, `--node-cidr ${node}=`);
}

export function podCidrOf(node: Node): string | undefined {
  return node.spec.podCIDRs?.[0] ?? node.spec.podCIDR;
}

/** The block for `node` (which has none), given every node as stored. */
export function cidrFor(node: string, nodes: Node[], cfg: NodeIpamConfig): CidrResult {
  const used = new Set(
    nodes
      .filter((n) => n.metadata.name !== node)
      .map(podCidrOf)
      .filter(Boolean),
  );
  const pinned = cfg.pinned.get(node);
  if (pinned) {
    if (used.has(pinned))
      return { ok: false, error: `node ${node}: pinned ${pinned} is held by another node` };
    return { ok: true, cidr: pinned };
  }
  for (const [other, cidr] of cfg.pinned) if (other !== node) used.add(cidr);
  const cluster = prefixRange(parse(cfg.clusterCidr, '--cluster-cidr'));
  const step = 1n << BigInt(32 - cfg.maskSize);
  for (let base = cluster.from; base + step - 1n <= cluster.to; base += step) {
    const cidr = `${formatAddr(4, base)}/${cfg.maskSize}`;
    if (!used.has(cidr)) return { ok: true, cidr };
  }
  return {
    ok: false,
    error: `node ${node}: no free /${cfg.maskSize} left in --cluster-cidr ${cfg.clusterCidr}`,
  };
}

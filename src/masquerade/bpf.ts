// eBPF masquerading's part of the masquerade module (--enable-bpf-masquerade): the datapath does
// the translation (bpf/lib/nat.h); this keeps waggle_ipmasq_v4 equal to the ip-masq-agent
// config's prefixes, and removes the iptables chain and jump an earlier run in iptables mode
// left behind, so the two never translate the same packet. The native routing CIDR is not in
// the map: bpf_host is loaded with it (snat_exclusion_v4).
import { LINK_LOCAL_CIDR, jumpLines, MASQ_CHAIN, removeInput } from './rules.js';
import type { IpMasqAgentConfig } from './config.js';
import type { IptablesRunner } from './module.js';

/** The slice of waggle_ipmasq_v4 this needs (a TypedMap keyed by "a.b.c.d/len"). */
export interface IpmasqTable {
  keys(): string[];
  set(prefix: string, value: Record<string, never>): void;
  delete(prefix: string): boolean;
}

/**
 * The prefixes that keep pod addresses, as Cilium's ipmasq agent programs them (pkg/ipmasq):
 * the IPv4 nonMasqueradeCIDRs, and 169.254.0.0/16 unless masqLinkLocal. Without
 * --enable-ip-masq-agent, none (the datapath does not look then either).
 */
export function ipmasqPrefixes(config: IpMasqAgentConfig | undefined): string[] {
  if (!config) return [];
  const out = new Set(config.nonMasqueradeCIDRs.filter((c) => !c.includes(':')));
  if (!config.masqLinkLocal) out.add(LINK_LOCAL_CIDR);
  return [...out];
}

/** Makes the map hold exactly `want`; returns how many entries it holds. */
export function syncIpmasq(table: IpmasqTable, want: readonly string[]): number {
  const wanted = new Set(want);
  for (const have of table.keys()) if (!wanted.has(have)) table.delete(have);
  for (const prefix of wanted) table.set(prefix, {});
  return wanted.size;
}

/** Removes WAGGLE_POST_nat and its POSTROUTING jump if an earlier run left them; true if it did. */
export async function removeIptablesLeftovers(iptables: IptablesRunner): Promise<boolean> {
  const listing = await iptables('iptables', ['-w', '5', '-t', 'nat', '-S']);
  if (!listing.split('\n').some((l) => l.trim() === `-N ${MASQ_CHAIN}`)) return false;
  await iptables('iptables-restore', ['-w', '5', '--noflush'], removeInput(jumpLines(listing)));
  return true;
}

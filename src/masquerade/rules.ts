// The iptables masquerade ruleset, as text (pure: no kernel, no clock). This is Cilium's
// iptables mode (`--enable-ipv4-masquerade` with `--enable-bpf-masquerade=false`,
// pkg/datapath/iptables/iptables.go): a chain of our own in the nat table, jumped to from
// POSTROUTING, that MASQUERADEs what the node's pods send to destinations outside the cluster.
// Destinations that stay pod-routable return early: the native-routing CIDR (or, without one,
// the PodCIDR itself, as Cilium's default), the ip-masq-agent's nonMasqueradeCIDRs and, unless
// masqLinkLocal, 169.254.0.0/16. The chain is declared in an `iptables-restore --noflush` input,
// which flushes and refills it in one transaction and leaves every other chain alone.
// Rules are written in the order iptables-save prints them, so a test can compare lines.

export const MASQ_CHAIN = 'WAGGLE_POST_nat';
/** Our host device (Cilium's cilium_host): traffic into it stays inside the node. */
export const HOST_DEVICE = 'waggle_host';
export const LINK_LOCAL_CIDR = '169.254.0.0/16';
export const JUMP_COMMENT = 'waggle: masquerade pod traffic leaving the node';

export interface MasqueradeInputs {
  /** The node's IPv4 PodCIDR, canonical (network address). */
  podCidr: string;
  nativeRoutingCidr?: string | undefined;
  /** The ip-masq-agent config, when --enable-ip-masq-agent; IPv4 CIDRs, canonical. */
  ipMasqAgent?: { nonMasqueradeCIDRs: readonly string[]; masqLinkLocal: boolean } | undefined;
}

const comment = (text: string) => `-m comment --comment "${text}"`;

/** The rules of our chain, each as an iptables-save `-A` line. */
export function chainRules(inputs: MasqueradeInputs): string[] {
  const returns: Array<[cidr: string, why: string]> = [];
  const seen = new Set<string>();
  const addReturn = (cidr: string, why: string) => {
    if (seen.has(cidr)) return;
    seen.add(cidr);
    returns.push([cidr, why]);
  };
  if (inputs.nativeRoutingCidr !== undefined) addReturn(inputs.nativeRoutingCidr, 'native-routing-cidr');
  else addReturn(inputs.podCidr, 'pod CIDR (no native-routing-cidr)');
  for (const cidr of inputs.ipMasqAgent?.nonMasqueradeCIDRs ?? [])
    addReturn(cidr, 'ip-masq-agent nonMasqueradeCIDRs');
  if (inputs.ipMasqAgent && !inputs.ipMasqAgent.masqLinkLocal)
    addReturn(LINK_LOCAL_CIDR, 'link-local, masqLinkLocal false');
  return [
    ...returns.map(([cidr, why]) => `-A ${MASQ_CHAIN} -d ${cidr} ${comment(`waggle: ${why}`)} -j RETURN`),
    `-A ${MASQ_CHAIN} -s ${inputs.podCidr} ! -o ${HOST_DEVICE} ${comment('waggle: masquerade pods leaving the cluster')} -j MASQUERADE`,
  ];
}

export const JUMP_RULE = `-A POSTROUTING ${comment(JUMP_COMMENT)} -j ${MASQ_CHAIN}`;

/**
 * The `iptables-restore --noflush` input that makes the nat table hold our chain with exactly
 * these rules; the POSTROUTING jump is added only when `jumpPresent` is false.
 */
export function applyInput(inputs: MasqueradeInputs, jumpPresent: boolean): string {
  return [
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    ...chainRules(inputs),
    ...(jumpPresent ? [] : [JUMP_RULE]),
    'COMMIT',
    '',
  ].join('\n');
}

/** The POSTROUTING lines of `iptables -t nat -S POSTROUTING` that jump to our chain. */
export function jumpLines(postroutingListing: string): string[] {
  return postroutingListing
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('-A POSTROUTING ') && l.endsWith(` -j ${MASQ_CHAIN}`));
}

/**
 * The input that removes our chain and every jump to it (each listed jump deleted by its exact
 * spec; declaring the chain first empties it, so -X cannot fail on a chain with rules).
 */
export function removeInput(jumps: readonly string[]): string {
  return [
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    ...jumps.map((l) => l.replace(/^-A /, '-D ')),
    `-X ${MASQ_CHAIN}`,
    'COMMIT',
    '',
  ].join('\n');
}

// N synthetic ClusterIP services × 2 endpoints in kube-proxy's exact rule shapes, as text for
// iptables-restore and nft -f (pure: no I/O). Shapes and chain names follow
// kubernetes/kubernetes pkg/proxy/iptables/proxier.go (KUBE-SERVICES → KUBE-SVC-<hash16> with
// `-m statistic --mode random --probability` → KUBE-SEP-<hash16> DNAT; servicePortChainName,
// servicePortEndpointChainName, computeProbability) and pkg/proxy/nftables/proxier.go (the
// service-ips verdict map, `numgen random mod N` vmap to endpoint chains, hashAndTruncate).
// Every service here has endpoints, so the filter-side reject/no-endpoint chains stay empty.
import { createHash } from 'node:crypto';

export interface BenchService {
  /** "ns/name:port", kube-proxy's ServicePortName string. */
  name: string;
  ns: string;
  svc: string;
  vip: string;
  port: number;
  endpoints: Array<{ ip: string; port: number }>;
}

/** Pod network the client lives in: kube-proxy's --cluster-cidr (masquerade what is outside). */
export const CLUSTER_CIDR = '10.10.0.0/16';
export const MASQ_MARK = '0x4000';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 4648 base32 (Go's base32.StdEncoding), enough of it for the first characters. */
export function base32(buf: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}
const sha32 = (s: string) => base32(createHash('sha256').update(s).digest());

/** KUBE-SVC-/KUBE-SEP- suffix: portProtoHash / servicePortEndpointChainName. */
export const svcChain = (s: BenchService) => `KUBE-SVC-${sha32(`${s.name}tcp`).slice(0, 16)}`;
export const sepChain = (s: BenchService, ep: { ip: string; port: number }) =>
  `KUBE-SEP-${sha32(`${s.name}tcp${ep.ip}:${ep.port}`).slice(0, 16)}`;

/** computeProbability: 1/n printed with ten decimals. */
export const probability = (n: number) => (1 / n).toFixed(10);

const ipToInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
export const intToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
export const addIp = (ip: string, k: number) => intToIp(ipToInt(ip) + k);

/**
 * `others` filler services (VIP 10.96.0.0/12, fake endpoints in 172.16/12, never reached) with
 * the measured ones (both endpoints real) inserted at the first, middle and last position.
 */
export function benchServices(
  others: number,
  target: { ip: string; port: number }[],
): { services: BenchService[]; measured: Record<'first' | 'middle' | 'last', BenchService> } {
  const mk = (i: number, eps: Array<{ ip: string; port: number }>): BenchService => ({
    name: `bench/svc-${i}:p80`,
    ns: 'bench',
    svc: `svc-${i}`,
    vip: addIp('10.96.0.1', i),
    port: 80,
    endpoints: eps,
  });
  const total = others === 0 ? 1 : others + 3;
  const at = others === 0 ? [0, 0, 0] : [0, Math.floor(total / 2), total - 1];
  const services: BenchService[] = [];
  for (let i = 0; i < total; i++)
    services.push(
      mk(
        i,
        at.includes(i) ? target : [0, 1].map((j) => ({ ip: addIp('172.16.0.1', 2 * i + j), port: 8080 })),
      ),
    );
  const pick = (k: number) => services[at[k] as number] as BenchService;
  return { services, measured: { first: pick(0), middle: pick(1), last: pick(2) } };
}

/** The iptables-restore input kube-proxy writes for these services (comments dropped above 1000 endpoints). */
export function iptablesRestore(services: readonly BenchService[]): string {
  const comments = services.reduce((a, s) => a + s.endpoints.length, 0) <= 1000;
  const c = (t: string) => (comments ? `-m comment --comment "${t}" ` : '');
  const chains: string[] = [];
  const rules: string[] = [];
  for (const s of services) {
    const svc = svcChain(s);
    chains.push(`:${svc} - [0:0]`);
    rules.push(
      `-A KUBE-SERVICES ${c(`${s.name} cluster IP`)}-m tcp -p tcp -d ${s.vip} --dport ${s.port} -j ${svc}`,
    );
    rules.push(
      `-A ${svc} ${c(`${s.name} cluster IP`)}-m tcp -p tcp -d ${s.vip} --dport ${s.port} ! -s ${CLUSTER_CIDR} -j KUBE-MARK-MASQ`,
    );
    const n = s.endpoints.length;
    s.endpoints.forEach((ep, i) => {
      const stat = i < n - 1 ? `-m statistic --mode random --probability ${probability(n - i)} ` : '';
      rules.push(`-A ${svc} ${c(`${s.name} -> ${ep.ip}:${ep.port}`)}${stat}-j ${sepChain(s, ep)}`);
    });
    for (const ep of s.endpoints) {
      const sep = sepChain(s, ep);
      chains.push(`:${sep} - [0:0]`);
      rules.push(`-A ${sep} ${c(s.name)}-s ${ep.ip} -j KUBE-MARK-MASQ`);
      rules.push(`-A ${sep} ${c(s.name)}-m tcp -p tcp -j DNAT --to-destination ${ep.ip}:${ep.port}`);
    }
  }
  return [
    '*filter',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-FORWARD - [0:0]',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    'COMMIT',
    '*nat',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-NODEPORTS - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    ...chains,
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
    ...rules,
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    'COMMIT',
    '',
  ].join('\n');
}

/** hashAndTruncate: base32(sha256(name))[:8] + "-" + name. */
const hashName = (name: string) => `${sha32(name).slice(0, 8)}-${name}`;
export const nftServiceChain = (s: BenchService) => `service-${hashName(`${s.ns}/${s.svc}/tcp/p80`)}`;
export const nftEndpointChain = (s: BenchService, ep: { ip: string; port: number }) =>
  `endpoint-${hashName(`${s.ns}/${s.svc}/tcp/p80__${ep.ip}/${ep.port}`)}`;

/**
 * The nft -f input for kube-proxy's nftables mode. nft 1.0.6 (Debian 12) rejects `priority
 * dstnat` on the output hook and quoted chain names, so priorities are numeric (-100/100 are
 * dstnat/srcnat) and names bare.
 */
export function nftRuleset(services: readonly BenchService[]): string {
  return nftRulesetBatches(services, 0).join('');
}

const nftServiceChains = (s: BenchService): string[] => {
  const eps = s.endpoints.map((ep, i) => `${i} : goto ${nftEndpointChain(s, ep)}`).join(', ');
  const out = [
    `  chain ${nftServiceChain(s)} {`,
    `    ip daddr ${s.vip} tcp dport ${s.port} ip saddr != ${CLUSTER_CIDR} jump mark-for-masquerade`,
    `    numgen random mod ${s.endpoints.length} vmap { ${eps} }`,
    '  }',
  ];
  for (const ep of s.endpoints)
    out.push(
      `  chain ${nftEndpointChain(s, ep)} {`,
      `    ip saddr ${ep.ip} jump mark-for-masquerade`,
      `    meta l4proto tcp dnat to ${ep.ip}:${ep.port}`,
      '  }',
    );
  return out;
};
const nftElement = (s: BenchService) => `${s.vip} . tcp . ${s.port} : goto ${nftServiceChain(s)}`;

/**
 * The same ruleset as nft -f inputs: with `batch` 0 one transaction (kube-proxy's full sync);
 * else the table with its base chains and empty maps, then the services `batch` at a time, their
 * chains and then their service-ips elements. One transaction of 30k services did not finish in
 * 400 s here (docs/benchmarks.md §8); the kernel ends up with the same table either way.
 */
export function nftRulesetBatches(services: readonly BenchService[], batch: number): string[] {
  const one = batch <= 0;
  const out: string[] = ['table ip kube-proxy {', '  comment "rules for kube-proxy"'];
  out.push('  chain mark-for-masquerade { mark set mark or 0x4000; }');
  out.push(
    '  chain masquerading { mark and 0x4000 == 0 return; mark set mark xor 0x4000; masquerade fully-random; }',
  );
  out.push('  map service-ips {', '    type ipv4_addr . inet_proto . inet_service : verdict');
  out.push('    comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"');
  if (one && services.length > 0)
    out.push(`    elements = { ${services.map(nftElement).join(',\n      ')} }`);
  out.push('  }', '  map service-nodeports { type inet_proto . inet_service : verdict; }');
  if (one) for (const s of services) out.push(...nftServiceChains(s));
  out.push(
    '  chain services {',
    '    ip daddr . meta l4proto . th dport vmap @service-ips',
    '    fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
    '  }',
    '  chain nat-prerouting { type nat hook prerouting priority -100; policy accept; jump services; }',
    '  chain nat-output { type nat hook output priority -100; policy accept; jump services; }',
    '  chain nat-postrouting { type nat hook postrouting priority 100; policy accept; jump masquerading; }',
    '}',
    '',
  );
  const files = [out.join('\n')];
  if (one) return files;
  for (let i = 0; i < services.length; i += batch) {
    const part = services.slice(i, i + batch);
    files.push(
      [
        'table ip kube-proxy {',
        ...part.flatMap(nftServiceChains),
        '}',
        `add element ip kube-proxy service-ips { ${part.map(nftElement).join(',\n  ')} }`,
        '',
      ].join('\n'),
    );
  }
  return files;
}

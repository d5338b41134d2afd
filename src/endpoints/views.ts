// How endpoints print, in cilium-dbg's formats (cilium-dbg/cmd/endpoint_list.go,
// endpoint_get.go, and the "Allocated addresses" block of `status --verbose`): pure functions
// of what the agent API returns, so the CLI and the tests share them.
import { createHash } from 'node:crypto';
import type { EndpointRecord } from './record.js';

/** One endpoint as GET /v1/endpoints serves it. */
export interface EndpointView extends EndpointRecord {
  owner: string;
  restored: boolean;
}

/** The node-level facts `endpoint get` shows in host-addressing. */
export interface NodeAddressing {
  podCidr?: string;
  router?: string;
}

/** The host endpoint (reserved:host): no address of its own, the router device's MAC. */
export interface HostEndpointView {
  id: number;
  labels: string[];
  ifname: string;
  ifindex: number;
  mac: string;
}

/** Cilium prints endpoint state names; ours map onto them. */
function stateName(s: EndpointRecord['state']): string {
  return s === 'ready' ? 'ready' : s === 'creating' ? 'waiting-for-identity' : 'disconnecting';
}

/** Left-aligned columns, three spaces apart (Go tabwriter, padding 3), trailing space trimmed. */
function columns(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

/** `endpoint list`: two header lines, one row per label, sorted by ID. */
export function formatEndpointList(eps: EndpointView[], host: HostEndpointView | undefined): string {
  const rows: string[][] = [
    [
      'ENDPOINT',
      'POLICY (ingress)',
      'POLICY (egress)',
      'IDENTITY',
      'LABELS (source:key[=value])',
      'IPv6',
      'IPv4',
      'STATUS',
    ],
    ['', 'ENFORCEMENT', 'ENFORCEMENT', '', '', '', '', ''],
  ];
  const all: Array<{ id: number; identity: number; labels: string[]; ipv4: string; state: string }> = eps.map(
    (e) => ({
      id: e.id,
      identity: e.identity,
      labels: e.labels,
      ipv4: e.ipv4,
      state: stateName(e.state),
    }),
  );
  if (host) all.push({ id: host.id, identity: 1, labels: host.labels, ipv4: '', state: 'ready' });
  for (const e of all.sort((a, b) => a.id - b.id)) {
    const labels = e.labels.length > 0 ? e.labels : ['<no label id>'];
    rows.push([
      String(e.id),
      'Disabled',
      'Disabled',
      String(e.identity),
      labels[0] ?? '',
      '',
      e.ipv4,
      e.state,
    ]);
    for (const l of labels.slice(1)) rows.push(['', '', '', '', l, '', '', '']);
  }
  return `${columns(rows)}\n`;
}

export function labelsSha256(labels: string[]): string {
  return createHash('sha256')
    .update(`${[...labels].sort().join(';')};`)
    .digest('hex');
}

/** `endpoint get`: Cilium's models.Endpoint (a list of one), with the networking block. */
export function endpointModel(e: EndpointView, node: NodeAddressing): unknown {
  return {
    id: e.id,
    spec: { 'label-configuration': {}, options: {} },
    status: {
      'external-identifiers': {
        'container-id': e.kind === 'pod' ? e.containerId : undefined,
        'cni-attachment-id': e.kind === 'pod' ? e.attachment : undefined,
        'k8s-namespace': e.podNamespace,
        'k8s-pod-name': e.podName,
        'pod-name': e.podNamespace && e.podName ? `${e.podNamespace}/${e.podName}` : undefined,
        'container-interface-name': e.ifname,
      },
      identity: { id: e.identity, labels: e.labels, labelsSHA256: labelsSha256(e.labels) },
      labels: { 'security-relevant': e.labels, realized: { 'user-labels': e.labels } },
      networking: {
        addressing: [{ ipv4: e.ipv4, 'ipv4-pool-name': 'default' }],
        'container-interface-name': e.ifname,
        'host-addressing': {
          ipv4: { 'address-type': 'InternalIP', 'alloc-range': node.podCidr, enabled: true, ip: node.router },
          ipv6: { enabled: false },
        },
        'host-mac': e.hostMac,
        'interface-index': e.hostIfindex,
        'interface-name': e.hostIfname,
        mac: e.containerMac,
      },
      state: stateName(e.state),
      restored: e.restored,
    },
  };
}

export function hostEndpointModel(h: HostEndpointView): unknown {
  return {
    id: h.id,
    spec: { 'label-configuration': {}, options: {} },
    status: {
      identity: { id: 1, labels: h.labels, labelsSHA256: labelsSha256(h.labels) },
      labels: { 'security-relevant': h.labels },
      networking: { addressing: [{}], 'host-mac': h.mac, 'interface-name': h.ifname, mac: h.mac },
      state: 'ready',
    },
  };
}

/** `status --verbose`: "  <ip> (<owner>)" sorted as strings, restored pods marked as Cilium does. */
export function allocatedAddresses(
  allocated: Array<{ ip: string; owner: string }>,
  eps: EndpointView[],
): string[] {
  const restored = new Set(eps.filter((e) => e.restored).map((e) => e.ipv4));
  return allocated.map((a) => `  ${a.ip} (${a.owner}${restored.has(a.ip) ? ' [restored]' : ''})`).sort();
}

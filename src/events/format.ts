// `cilium-dbg monitor` text lines for decoded events (Cilium's pkg/monitor/datapath_trace.go
// and datapath_drop.go): the default one-liners and the verbose form (cilium-dbg's -vv, our -v).
// Pure: interface names come from an injected resolver.
import { bpfFileName } from '../datapath/bpf-files.js';
import { dropReasonTextExt } from '../datapath/drop-reasons.js';
import type { DatapathEvent, DropEvent, TraceEvent } from './decode.js';
import { arpSummary, connectionSummary, dissect, etherTypeName, icmpName, type Packet } from './packet.js';

export interface FormatOptions {
  /** -n: identities as numbers, reserved ones too. */
  numeric?: boolean;
  /** -v: the verbose, multi-line form. */
  verbose?: boolean;
  /** An interface's name by ifindex; undefined prints the number. */
  ifname?: (ifindex: number) => string | undefined;
}

export const TracePoint = {
  TO_LXC: 0,
  TO_PROXY: 1,
  TO_HOST: 2,
  TO_STACK: 3,
  TO_OVERLAY: 4,
  FROM_LXC: 5,
  FROM_PROXY: 6,
  FROM_HOST: 7,
  FROM_STACK: 8,
  FROM_OVERLAY: 9,
  FROM_NETWORK: 10,
  TO_NETWORK: 11,
} as const;

const POINT_NAMES = [
  'to-endpoint',
  'to-proxy',
  'to-host',
  'to-stack',
  'to-overlay',
  'from-endpoint',
  'from-proxy',
  'from-host',
  'from-stack',
  'from-overlay',
  'from-network',
  'to-network',
];

export function observationPointName(point: number): string {
  return POINT_NAMES[point] ?? `unknown-${point}`;
}

const RESERVED_IDENTITIES: ReadonlyMap<number, string> = new Map([
  [1, 'host'],
  [2, 'world'],
  [3, 'unmanaged'],
  [4, 'health'],
  [5, 'init'],
  [6, 'remote-node'],
  [7, 'kube-apiserver'],
  [8, 'ingress'],
]);

export function identityText(id: number, numeric = false): string {
  return (numeric ? undefined : RESERVED_IDENTITIES.get(id)) ?? String(id);
}

const TRACE_REASONS = ['new', 'established', 'reply', 'related', 'reopened', 'unknown'];
const TRACE_REASON_ENCRYPTED = 0x80;

export function traceStateText(reason: number): string {
  const base = reason & ~TRACE_REASON_ENCRYPTED;
  const text = TRACE_REASONS[base] ?? String(base);
  return reason & TRACE_REASON_ENCRYPTED ? `${text}, encrypted` : text;
}

function traceSummary(ev: TraceEvent): string {
  switch (ev.observationPoint) {
    case TracePoint.TO_LXC:
      return `-> endpoint ${ev.dstId}`;
    case TracePoint.TO_PROXY:
      return ev.dstId !== 0 ? `-> proxy port ${ev.dstId}` : '-> proxy';
    case TracePoint.TO_HOST:
      return '-> host from';
    case TracePoint.TO_STACK:
      return '-> stack';
    case TracePoint.TO_OVERLAY:
      return '-> overlay';
    case TracePoint.TO_NETWORK:
      return '-> network';
    case TracePoint.FROM_LXC:
      return `<- endpoint ${ev.source}`;
    case TracePoint.FROM_PROXY:
      return '<- proxy';
    case TracePoint.FROM_HOST:
      return '<- host';
    case TracePoint.FROM_STACK:
      return '<- stack';
    case TracePoint.FROM_OVERLAY:
      return '<- overlay';
    case TracePoint.FROM_NETWORK:
      return '<- network';
    default:
      return 'unknown trace';
  }
}

const flow = (hash: number) => `0x${hash.toString(16)}`;

function ifText(ifindex: number, o: FormatOptions): string {
  return o.ifname?.(ifindex) ?? String(ifindex);
}

function identities(ev: DatapathEvent, o: FormatOptions): string {
  return `, identity ${identityText(ev.srcLabel, o.numeric)}->${identityText(ev.dstLabel, o.numeric)}`;
}

/** One event as `cilium-dbg monitor` prints it; the verbose form has several lines. */
export function formatEvent(ev: DatapathEvent, o: FormatOptions = {}): string {
  if (o.verbose) return ev.kind === 'trace' ? verboseTrace(ev, o) : verboseDrop(ev, o);
  const summary = connectionSummary(dissect(ev.payload));
  if (ev.kind === 'trace') {
    return (
      `${traceSummary(ev)} flow ${flow(ev.hash)} ${identities(ev, o)} state ${traceStateText(ev.reason)}` +
      ` ifindex ${ifText(ev.ifindex, o)} orig-ip ${ev.origIp}: ${summary}`
    );
  }
  return (
    `xx drop (${dropReasonTextExt(ev.reason, ev.extError)}) flow ${flow(ev.hash)} to endpoint ${ev.dstId},` +
    ` ifindex ${ev.ifindex}, file ${bpfFileName(ev.file)}:${ev.line}, ${identities(ev, o)}: ${summary}`
  );
}

const SEPARATOR = '-'.repeat(78);
// Cilium prints the CPU whose perf ring carried the event ("CPU 01:"). A BPF ring buffer is one
// ring shared by every CPU and the record layout has no CPU field, so the CPU is not known here.
const CPU_PREFIX = 'CPU ??:';

function verboseTrace(ev: TraceEvent, o: FormatOptions): string {
  let head =
    `${CPU_PREFIX} MARK ${flow(ev.hash)} FROM ${ev.source} ${observationPointName(ev.observationPoint)}:` +
    ` ${ev.lenOrig} bytes (${ev.lenCap} captured), state ${traceStateText(ev.reason)}`;
  if (ev.ifindex !== 0) head += `, interface ${ifText(ev.ifindex, o)}`;
  if (ev.srcLabel !== 0 || ev.dstLabel !== 0) head += `, ${identities(ev, o)}`;
  head += `, orig-ip ${ev.origIp}`;
  if (ev.dstId !== 0)
    head +=
      ev.observationPoint === TracePoint.TO_PROXY
        ? `, to proxy port ${ev.dstId}`
        : `, to endpoint ${ev.dstId}`;
  return [SEPARATOR, head, ...layerLines(dissect(ev.payload))].join('\n');
}

function verboseDrop(ev: DropEvent, o: FormatOptions): string {
  let head =
    `${CPU_PREFIX} MARK ${flow(ev.hash)} FROM ${ev.source} DROP: ${ev.lenOrig} bytes,` +
    ` reason ${dropReasonTextExt(ev.reason, ev.extError)}`;
  if (ev.srcLabel !== 0 || ev.dstLabel !== 0) head += identities(ev, o);
  if (ev.dstId !== 0) head += `, to endpoint ${ev.dstId}`;
  return [SEPARATOR, head, ...layerLines(dissect(ev.payload))].join('\n');
}

/** One line per decoded layer, in the `Name\t{Field=value …}` shape of Cilium's gopacket dumps. */
function layerLines(p: Packet): string[] {
  const out: string[] = [];
  if (p.eth)
    out.push(
      `Ethernet\t{SrcMAC=${p.eth.src} DstMAC=${p.eth.dst} EthernetType=${etherTypeName(p.eth.etherType)}}`,
    );
  if (p.arp) out.push(`ARP\t{${arpSummary(p.arp)}}`);
  if (p.ipv4)
    out.push(
      `IPv4\t{Length=${p.ipv4.length} Id=${p.ipv4.id} TTL=${p.ipv4.ttl} Protocol=${p.ipv4.protocol} SrcIP=${p.ipv4.src} DstIP=${p.ipv4.dst}}`,
    );
  if (p.tcp)
    out.push(
      `TCP\t{SrcPort=${p.tcp.srcPort} DstPort=${p.tcp.dstPort} Seq=${p.tcp.seq} Ack=${p.tcp.ack} Flags=${p.tcp.flags.join(',')}}`,
    );
  if (p.udp) out.push(`UDP\t{SrcPort=${p.udp.srcPort} DstPort=${p.udp.dstPort} Length=${p.udp.length}}`);
  if (p.icmp) out.push(`ICMPv4\t{TypeCode=${icmpName(p.icmp.type, p.icmp.code)}}`);
  return out;
}

/** Cilium's banner, adapted: one ring buffer shared by all CPUs instead of per-CPU perf rings. */
export function bannerLines(cpus: number, ringBytes: number): string[] {
  return [
    `Listening for events on ${cpus} CPUs with a ${Math.round(ringBytes / 1024)} KiB ring buffer of shared memory`,
    'Press Ctrl-C to quit',
  ];
}

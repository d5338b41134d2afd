// `waggle health status` and the `Cluster health:` line of `waggle status`, in the layout of
// Cilium's cilium-health status (pkg/health/client/client.go FormatHealthStatusResponse, printed
// through a tabwriter with padding 3) and cilium-dbg status.
import type { HealthStatus, NodeHealth, PathHealth, ProbeResult } from './health-status.js';
import { IP_UNAVAILABLE } from './health-status.js';

/** Go's time.Duration.String for a duration in ms: "152.3µs", "1.204ms", "5s", "1m31s". */
export function goDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  const frac = (v: number, unit: number) => {
    const whole = Math.floor(v / unit);
    const rest = v % unit;
    if (rest === 0) return String(whole);
    const digits = String(unit).length - 1;
    return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
  };
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${frac(ns, 1e3)}µs`;
  if (ns < 1e9) return `${sign}${frac(ns, 1e6)}ms`;
  const h = Math.floor(ns / 3.6e12);
  const m = Math.floor((ns % 3.6e12) / 6e10);
  const s = `${frac(ns % 6e10, 1e9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}

function probeText(p: ProbeResult): string {
  return p.ok ? `OK, RTT=${goDuration(p.rttMs ?? 0)}` : (p.error ?? 'failed');
}

function pathLines(name: string, p: PathHealth): string[] {
  return [
    `    ${name} connectivity to ${p.ip || IP_UNAVAILABLE}:`,
    `      ICMP to stack:   ${probeText(p.icmp)}`,
    `      HTTP to agent:   ${probeText(p.http)}`,
  ];
}

function nodeLines(n: NodeHealth, localhost: boolean): string[] {
  return [
    `  ${n.name}${localhost ? ' (localhost)' : ''}:`,
    ...pathLines('Host', n.host),
    ...(n.endpoint ? pathLines('Endpoint', n.endpoint) : []),
  ];
}

/** `cilium-health status`: the probe time, then this node, then the others by name. */
export function formatHealthStatus(s: HealthStatus): string {
  const local = s.nodes.filter((n) => n.name === s.local);
  const others = s.nodes.filter((n) => n.name !== s.local).sort((a, b) => (a.name < b.name ? -1 : 1));
  const lines = [
    `Probe time:   ${s.lastProbe ?? '(no probe yet)'}`,
    'Nodes:',
    ...local.flatMap((n) => nodeLines(n, true)),
    ...others.flatMap((n) => nodeLines(n, false)),
  ];
  return `${lines.join('\n')}\n`;
}

/** cilium-dbg status's line: `Cluster health:   2/2 reachable   (time)   (Probe interval: 5s)`. */
export function clusterHealthLine(s: HealthStatus): string {
  const when = s.lastProbe ?? 'no probe yet';
  return `${'Cluster health:'.padEnd(25)}${s.reachable}/${s.total} reachable   (${when})   (Probe interval: ${goDuration(s.intervalMs)})`;
}

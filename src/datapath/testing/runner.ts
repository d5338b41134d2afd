// Runs datapath cases against the compiled bpf_host.o through BPF_PROG_TEST_RUN. Each case gets
// a freshly loaded object with its maps pinned in its own directory of a private bpffs, so no
// state leaks from one case to the next, and nothing touches /sys/fs/bpf.
import { join } from 'node:path';
import { monotonicNs, TcAct } from '../../bpf/index.js';
import { skbContext } from '../../bpf/program.js';
import { MetricDirection } from '../maps/metrics.js';
import { RuntimeConfigIndex } from '../maps/runtime-config.js';
import { DEFAULT_MAX_LIVENESS_NS, type HostDatapath, loadHostDatapath } from '../host-datapath.js';
import type { DatapathCase } from './case.js';

export interface CaseResult {
  name: string;
  ok: boolean;
  /** What differed, one line each. Empty when ok. */
  problems: string[];
  verdict: number;
  output: Buffer;
}

const verdictName = (v: number) => Object.entries(TcAct).find(([, n]) => n === v)?.[0] ?? `verdict ${v}`;

const keyText = (k: { ip: string; ifindex: number }) => `${k.ip}@${k.ifindex}`;

/** Byte offsets where two frames differ (first few), for a readable failure. */
export function frameDiff(got: Buffer, want: Buffer): string | undefined {
  if (got.equals(want)) return undefined;
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  const offsets: string[] = [];
  for (let i = 0; i < got.length && offsets.length < 8; i++) {
    if (got[i] !== want[i]) offsets.push(`@${i}: ${got[i]?.toString(16)} want ${want[i]?.toString(16)}`);
  }
  return `bytes differ ${offsets.join(', ')}`;
}

export function applySetup(dp: HostDatapath, c: DatapathCase): void {
  for (const d of c.setup.devices ?? []) dp.devices.set(d.ifindex, { mac: d.mac });
  for (const key of c.setup.responder ?? []) dp.responder.set(key, { responsesSent: 0n });
  const l = c.setup.liveness;
  if (l.kind === 'fresh') dp.runtimeConfig.set(RuntimeConfigIndex.AgentLiveness, monotonicNs());
  if (l.kind === 'age') dp.runtimeConfig.set(RuntimeConfigIndex.AgentLiveness, monotonicNs() - l.ns);
}

export function runCase(c: DatapathCase, pinRoot: string, objPath?: string): CaseResult {
  const dp = loadHostDatapath({
    ...(objPath ? { objPath } : {}),
    pinDir: join(pinRoot, c.name.replace(/[^a-z0-9]+/gi, '-')),
    maxLivenessNs: c.setup.maxLivenessNs ?? DEFAULT_MAX_LIVENESS_NS,
  });
  try {
    applySetup(dp, c);
    const res = dp.fromNetdev.testRun({ data: c.frame, ctx: skbContext(c.skb ?? {}) });
    const problems: string[] = [];
    if (res.retval !== c.expect.verdict) {
      problems.push(`verdict ${verdictName(res.retval)}, want ${verdictName(c.expect.verdict)}`);
    }
    const want = c.expect.frame === 'unchanged' ? c.frame : c.expect.frame;
    const diff = frameDiff(res.data, want);
    if (diff) problems.push(`frame: ${diff}`);

    const wantCounts = new Map((c.setup.responder ?? []).map((k) => [keyText(k), 0n]));
    for (const e of c.expect.responsesSent ?? []) wantCounts.set(keyText(e.key), e.count);
    const gotCounts = new Map(dp.responder.entries().map(([k, v]) => [keyText(k), v.responsesSent]));
    for (const [k, n] of wantCounts) {
      if (gotCounts.get(k) !== n) problems.push(`responses_sent[${k}] ${gotCounts.get(k)}, want ${n}`);
    }
    if (gotCounts.size !== wantCounts.size) problems.push(`responder has ${gotCounts.size} entries`);

    const drops = dp.drops.entries().map(([reason, count]) => `${reason}=${count}`);
    const wantDrops = (c.expect.drops ?? []).map((d) => `${d.reason}=${d.count}`);
    if (drops.sort().join(',') !== wantDrops.sort().join(',')) {
      problems.push(`drops [${drops.join(',')}], want [${wantDrops.join(',')}]`);
    }

    // waggle_metrics follows from the verdict: an answered request is one forwarded (Success)
    // egress packet of the frame's size, a drop is one ingress packet under its reason.
    const metrics = dp.metrics
      .entries()
      .map(([k, v]) => `${k.reason}/${k.dir}=${v.count}x${v.bytes}`)
      .sort();
    const wantMetrics = [
      ...(c.expect.verdict === TcAct.REDIRECT ? [`0/${MetricDirection.EGRESS}=1x${c.frame.length}`] : []),
      ...(c.expect.drops ?? []).map(
        (d) => `${d.reason}/${MetricDirection.INGRESS}=${d.count}x${c.frame.length}`,
      ),
    ].sort();
    if (metrics.join(',') !== wantMetrics.join(','))
      problems.push(`metrics [${metrics.join(',')}], want [${wantMetrics.join(',')}]`);
    return { name: c.name, ok: problems.length === 0, problems, verdict: res.retval, output: res.data };
  } finally {
    dp.close();
  }
}

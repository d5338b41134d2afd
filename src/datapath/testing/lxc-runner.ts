// Runs pod datapath cases against build/bpf/bpf_lxc.o through BPF_PROG_TEST_RUN. Each case gets
// a fresh object (loaded as the agent loads one per endpoint) with its maps pinned in its own
// directory of a private bpffs. Records written to waggle_events are counted through
// events_probe.o's ringbuf_avail, which shares the ring (see bpf/tests/events_probe.c).
import { join } from 'node:path';
import { BpfObject, type BpfProgram, skbContext, TcAct } from '../../bpf/index.js';
import { type EndpointProgram, loadEndpointProgram } from '../endpoint-datapath.js';
import { MetricDirection } from '../maps/metrics.js';
import { RuntimeConfigIndex } from '../maps/runtime-config.js';
import { type LxcCase, POD, POD_ENTRY } from './lxc-case.js';
import { frameDiff } from './runner.js';

export const EVENTS_PROBE_PATH = 'build/bpf/tests/events_probe.o';
/** Ring-buffer bytes per record: an 8-byte header, then the record rounded up to 8. */
export const TRACE_RECORD_BYTES = 8 + 56 + 128;
export const DROP_RECORD_BYTES = 8 + 48 + 128;

export interface LxcRig {
  ep: EndpointProgram;
  /** waggle_events bytes written and not consumed. */
  ringBytes(): number;
  close(): void;
}

/** The pod's object with its own entry in waggle_lxc, plus the probe sharing its ring. */
export function loadLxcRig(pinDir: string): LxcRig {
  const ep = loadEndpointProgram({
    pinDir,
    endpointId: POD.endpointId,
    ipv4: POD.ipv4,
    lxcMac: POD.lxcMac,
    ifindex: POD.ifindex,
  });
  let probe: BpfObject | undefined;
  try {
    ep.maps.endpoints.set({ ip: POD.ipv4 }, POD_ENTRY);
    probe = BpfObject.open(EVENTS_PROBE_PATH);
    probe.pinMapsIn(pinDir);
    probe.load();
  } catch (err) {
    probe?.close();
    ep.close();
    throw err;
  }
  const avail: BpfProgram = probe.program('ringbuf_avail');
  return {
    ep,
    ringBytes: () => avail.testRun({ data: Buffer.alloc(14) }).retval,
    close() {
      probe?.close();
      ep.close();
    },
  };
}

const verdictName = (v: number) => Object.entries(TcAct).find(([, n]) => n === v)?.[0] ?? `verdict ${v}`;

export function runLxcCase(c: LxcCase, pinRoot: string): string[] {
  const rig = loadLxcRig(join(pinRoot, c.name.replace(/[^a-z0-9]+/gi, '-')));
  try {
    const { maps } = rig.ep;
    for (const e of c.setup?.endpoints ?? []) maps.endpoints.set({ ip: e.ip }, e.info);
    for (const e of c.setup?.ipcache ?? []) maps.ipcache.set({ prefix: e.prefix }, e.info);
    if (c.setup?.traces) maps.runtimeConfig.set(RuntimeConfigIndex.TraceEvents, 1n);
    const before = rig.ringBytes();
    const prog = c.program === 'toContainer' ? rig.ep.toContainer : rig.ep.fromContainer;
    const res = prog.testRun({ data: c.frame, ctx: skbContext({ ingressIfindex: POD.ifindex }) });
    const problems: string[] = [];
    if (res.retval !== c.expect.verdict)
      problems.push(`verdict ${verdictName(res.retval)}, want ${verdictName(c.expect.verdict)}`);
    const diff = frameDiff(res.data, c.expect.frame === 'unchanged' ? c.frame : c.expect.frame);
    if (diff) problems.push(`frame: ${diff}`);

    const drops = maps.drops.entries().map(([reason, count]) => `${reason}=${count}`);
    const wantDrops = (c.expect.drops ?? []).map((d) => `${d.reason}=${d.count}`);
    if (drops.sort().join(',') !== wantDrops.sort().join(','))
      problems.push(`drops [${drops.join(',')}], want [${wantDrops.join(',')}]`);
    const metrics = maps.metrics.entries().map(([k, v]) => `${k.reason}/${k.dir}=${v.count}x${v.bytes}`);
    const wantMetrics = (c.expect.drops ?? []).map(
      (d) => `${d.reason}/${MetricDirection.EGRESS}=${d.count}x${c.frame.length}`,
    );
    if (metrics.sort().join(',') !== wantMetrics.sort().join(','))
      problems.push(`metrics [${metrics.join(',')}], want [${wantMetrics.join(',')}]`);

    const ev = c.expect.events ?? {};
    const wantBytes = (ev.traces ?? 0) * TRACE_RECORD_BYTES + (ev.drops ?? 0) * DROP_RECORD_BYTES;
    const gotBytes = rig.ringBytes() - before;
    if (gotBytes !== wantBytes) problems.push(`waggle_events grew ${gotBytes} B, want ${wantBytes} B`);
    const lost = maps.eventsLost.get(0);
    if (lost !== 0n) problems.push(`waggle_events_lost ${lost}`);
    return problems;
  } finally {
    rig.close();
  }
}

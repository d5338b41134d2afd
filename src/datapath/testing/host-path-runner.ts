// Runs host-path cases (host-path-case.ts) through BPF_PROG_TEST_RUN: bpf_host.o loaded as the
// agent loads it (with the case's masquerading constants) and the pod's bpf_lxc.o sharing its
// maps in one fresh pin directory, the agent's map rows written, then every step run inside
// the case netns (host-path-netns.ts) in order, so a step sees what the earlier ones wrote.
import { join } from 'node:path';
import { monotonicNs, skbContext, TcAct, withNetns } from '../../bpf/index.js';
import { writeIpv4 } from '../../bpf/codec-fields.js';
import { loadEndpointProgram } from '../endpoint-datapath.js';
import {
  DEFAULT_MAX_LIVENESS_NS,
  type HostDatapath,
  lbConfigBits,
  loadHostDatapath,
} from '../host-datapath.js';
import { type CtEntry, type CtTuple, ctRow } from '../maps/ct4.js';
import { CtStat, ctEvictions } from '../maps/ct-stats.js';
import { RuntimeConfigIndex } from '../maps/runtime-config.js';
import { type NatEntry, type NatTuple, natRow } from '../maps/snat.js';
import type { HostPathCase, LbFrontend } from './host-path-case.js';
import { NODE } from './host-path-netns.js';
import { POD, POD_ENTRY } from './lxc-case.js';
import { frameDiff } from './runner.js';

const verdictName = (v: number) => Object.entries(TcAct).find(([, n]) => n === v)?.[0] ?? `verdict ${v}`;

/**
 * A NAT row without its times, " closing" appended once a FIN/RST went by:
 * "TCP OUT 10.200.1.5:61003 -> 10.98.0.10:9000 XLATE_SRC 10.98.0.21:61003".
 */
export function natEntryText(k: NatTuple, v: Pick<NatEntry, 'toAddr' | 'toPort' | 'closing'>): string {
  const [tuple, xlate] = natRow(k, { created: 0n, needsCt: false, ...v }, 0n);
  return `${tuple} ${xlate}${v.closing ? ' closing' : ''}`;
}

/** A conntrack row without its times and counters: "TCP SERVICE a:p -> f:q [nodePort] BackendID=1". */
export function ctEntryText(k: CtTuple, v: CtEntry): string {
  const [tuple, , , , flags, , xlate] = ctRow(k, v, 0);
  return `${tuple} ${flags} ${xlate}`;
}

function writeFrontends(host: HostDatapath, frontends: readonly LbFrontend[]): void {
  for (const f of frontends) {
    const key = (backendSlot: number) => ({
      address: f.address,
      port: f.port,
      backendSlot,
      proto: f.proto,
      scope: f.scope ?? 0,
    });
    const row = { revNatIndex: f.revNat, flags: f.flags, flags2: f.flags2 ?? 0 };
    for (const b of f.backends)
      host.backends.set(b.id, { address: b.address, port: b.port, proto: f.proto, state: b.state ?? 0 });
    const slots = f.backends.filter((b) => (b.state ?? 0) === 0);
    slots.forEach((b, i) => {
      host.services.set(key(i + 1), { backendId: b.id, count: 0, ...row });
    });
    host.services.set(key(0), { backendId: f.affinityS ?? 0, count: slots.length, ...row });
    host.reverseNat.set(f.revNat, { address: f.address, port: f.port });
    for (const cidr of f.sourceRanges ?? []) host.sourceRange.set({ revNat: f.revNat, cidr }, 1);
  }
}

export function runHostPathCase(c: HostPathCase, pinRoot: string, netns: string): string[] {
  const pinDir = join(pinRoot, c.name.replace(/[^a-z0-9]+/gi, '-'));
  const host = loadHostDatapath({
    pinDir,
    maxLivenessNs: DEFAULT_MAX_LIVENESS_NS,
    ...(c.setup.masquerade ? { masquerade: c.setup.masquerade } : {}),
    ...(c.setup.ctSizes
      ? { mapSizes: { services: 65536, backends: 65536, reverseNat: 65536, ...c.setup.ctSizes } }
      : {}),
  });
  let lxc: ReturnType<typeof loadEndpointProgram> | undefined;
  try {
    lxc = loadEndpointProgram({
      pinDir,
      endpointId: POD.endpointId,
      ipv4: POD.ipv4,
      lxcMac: POD.lxcMac,
      ifindex: POD.ifindex,
    });
    host.endpoints.set({ ip: POD.ipv4 }, POD_ENTRY);
    for (const e of c.setup.endpoints ?? []) host.endpoints.set({ ip: e.ip }, e.info);
    host.devices.set(NODE.ifindex, { mac: NODE.mac, ipv4: NODE.ip });
    if (c.setup.hostRouting) host.runtimeConfig.set(RuntimeConfigIndex.HostRouting, 1n);
    if (c.setup.lb) host.runtimeConfig.set(RuntimeConfigIndex.Lb, lbConfigBits(c.setup.lb));
    writeFrontends(host, c.setup.frontends ?? []);
    for (const a of c.setup.affinity ?? []) {
      const ip = Buffer.alloc(8);
      writeIpv4(ip, 0, a.client, 'case', 'affinity.client');
      host.affinity.set(
        { clientId: ip.readBigUInt64LE(0), revNat: a.revNat, netnsCookie: false },
        { lastUsed: monotonicNs() / 1_000_000_000n - BigInt(a.ageSec), backendId: a.backendId },
      );
    }
    for (const p of c.setup.ipmasq ?? []) host.ipmasq.set(p, {});
    for (const e of c.setup.ipcache ?? []) host.ipcache.set({ prefix: e.prefix }, { identity: e.identity });
    const now = monotonicNs() / 1_000_000_000n;
    for (const e of c.setup.snat ?? []) {
      const seen = now - BigInt(e.idleSec ?? 0);
      const closing = e.closedSec === undefined ? 0n : now - BigInt(e.closedSec);
      host.snat.set(e.key, { ...e.value, created: seen, seen, closing });
    }

    const programs = {
      fromContainer: lxc.fromContainer,
      toNetdev: host.toNetdev,
      fromNetdev: host.fromNetdev,
    };
    const problems: string[] = [];
    c.steps.forEach((step, i) => {
      if (step.before) writeFrontends(host, step.before.frontends);
      const ifindex = step.program === 'fromContainer' ? POD.ifindex : NODE.ifindex;
      const ctx = skbContext({ ifindex, ingressIfindex: step.program === 'toNetdev' ? 0 : ifindex });
      const res = withNetns(netns, () => programs[step.program].testRun({ data: step.frame, ctx }));
      const at = `step ${i + 1} (${step.program})`;
      if (res.retval !== step.expect.verdict)
        problems.push(`${at}: verdict ${verdictName(res.retval)}, want ${verdictName(step.expect.verdict)}`);
      const diff = frameDiff(res.data, step.expect.frame === 'unchanged' ? step.frame : step.expect.frame);
      if (diff) problems.push(`${at}: frame: ${diff}`);
    });

    const want = (
      c.expect.snat ??
      (c.setup.snat ?? []).map((e) =>
        natEntryText(e.key, { ...e.value, ...(e.closedSec !== undefined ? { closing: 1n } : {}) }),
      )
    ).sort();
    const got = host.snat
      .entries()
      .map(([k, v]) => natEntryText(k, v))
      .sort();
    if (got.join('\n') !== want.join('\n'))
      problems.push(`snat:\n  got  ${got.join('\n       ')}\n  want ${want.join('\n       ')}`);
    if (c.expect.ctStats) {
      const stat = (i: number) => host.ctStats.get(i) ?? 0n;
      const made = Number(stat(CtStat.tcpMade) + stat(CtStat.anyMade));
      const ev = ctEvictions(stat, { tcp: host.ct4Tcp.count(), any: host.ct4Any.count() });
      const got = { made, evicted: ev.tcp + ev.any };
      if (JSON.stringify(got) !== JSON.stringify(c.expect.ctStats))
        problems.push(`ct stats: ${JSON.stringify(got)}, want ${JSON.stringify(c.expect.ctStats)}`);
    }
    if (c.expect.ctAtMost !== undefined) {
      const n = host.ct4Tcp.count() + host.ct4Any.count();
      if (n > c.expect.ctAtMost) problems.push(`ct: ${n} entries, want at most ${c.expect.ctAtMost}`);
    }
    if (c.expect.ct) {
      const ct = [...host.ct4Tcp.entries(), ...host.ct4Any.entries()]
        .map(([k, v]) => ctEntryText(k, v))
        .sort();
      const wantCt = [...c.expect.ct].sort();
      if (ct.join('\n') !== wantCt.join('\n'))
        problems.push(`ct:\n  got  ${ct.join('\n       ')}\n  want ${wantCt.join('\n       ')}`);
    }
    const drops = host.drops.entries().map(([reason, count]) => `${reason}=${count}`);
    const wantDrops = (c.expect.drops ?? []).map((d) => `${d.reason}=${d.count}`);
    if (drops.sort().join(',') !== wantDrops.sort().join(','))
      problems.push(`drops [${drops.join(',')}], want [${wantDrops.join(',')}]`);
    return problems;
  } finally {
    lxc?.close();
    host.close();
  }
}

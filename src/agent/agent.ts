// `waggle agent`: composes the datapath (pinned maps, from_netdev on the selected devices), the
// liveness ticker, the L2 announcer and the API/metrics endpoints, and owns their shutdown.
// SIGTERM releases leases (which removes our responder entries), stops liveness and leaves the
// pinned maps and tc attachments, so a restarted agent continues where this one stopped.
import { fileURLToPath } from 'node:url';
import { runtimeConfigName } from '../bpf/maps/runtime-config.js';
import { type HostDatapath, loadHostDatapath } from '../datapath/host-datapath.js';
import { L2Announcer } from '../l2announcer/announcer.js';
import { systemClock } from '../l2announcer/clock.js';
import { sendGarp } from '../l2announcer/garp.js';
import { storeLeaseClient } from '../l2announcer/store-lease-client.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { serveApi } from './api-server.js';
import { DeviceManager } from './devices/manager.js';
import type { AgentConfig } from './flags.js';
import { LivenessTicker } from './liveness.js';
import { AgentMetrics } from './metrics.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { registerNode } from './node-registration.js';
import type { AgentStatus } from './status.js';

const OBJECT = fileURLToPath(new URL('../../../build/bpf/bpf_host.o', import.meta.url));

export function log(msg: string): void {
  process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
}

export class Agent {
  readonly cfg: AgentConfig;
  #store!: Store;
  #dp!: HostDatapath;
  #devices!: DeviceManager;
  #liveness!: LivenessTicker;
  #announcer!: L2Announcer;
  #metrics!: AgentMetrics;
  #api: { close(): void } | undefined;
  #nodeHeartbeat: NodeHeartbeat | undefined;
  #garpAbort = new AbortController();
  #stopped = false;

  constructor(cfg: AgentConfig) {
    this.cfg = cfg;
  }

  async start(): Promise<void> {
    const cfg = this.cfg;
    this.#store = openStore(cfg.store);
    this.#dp = loadHostDatapath({
      objPath: OBJECT,
      pinDir: cfg.pinDir,
      maxLivenessNs: BigInt(Math.round(cfg.leaseDurationMs * 1e6)),
    });
    log(`datapath loaded, maps pinned in ${cfg.pinDir}, max liveness ${cfg.leaseDurationMs}ms`);
    this.#liveness = new LivenessTicker(this.#dp.runtimeConfig, cfg.livenessIntervalMs);
    // A quick restart (the datapath still trusts the pinned entries) keeps answering without a
    // gap. Entries the datapath had already stopped trusting must not come back to life before
    // this run knows which leases it holds: another node may have taken them over meanwhile, and
    // two nodes would answer for one IP. Then liveness resumes only after the initial sync.
    const inheritedAgeMs = this.#liveness.ageMs();
    const resumeAtOnce = inheritedAgeMs !== undefined && inheritedAgeMs <= cfg.leaseDurationMs;
    if (resumeAtOnce) this.#liveness.start();
    else
      log(
        `pinned responder state is ${inheritedAgeMs === undefined ? 'new' : `stale (liveness ${Math.round(inheritedAgeMs)}ms old)`}: answering starts after the initial sync`,
      );
    this.#metrics = new AgentMetrics(() => this.status());
    this.#devices = new DeviceManager({
      program: this.#dp.fromNetdev,
      devicesMap: this.#dp.devices,
      patterns: cfg.devicePatterns,
      log,
      onChange: () => this.#announcer?.devicesChanged(),
    });
    this.#devices.rescan();
    this.#devices.start();
    this.#announcer = new L2Announcer({
      store: this.#store,
      leases: storeLeaseClient(this.#store),
      nodeName: cfg.node,
      clock: systemClock,
      timings: cfg.timings,
      responder: this.#dp.responder,
      deviceNames: () => this.#devices.selected.map((d) => d.name),
      ifindexOf: (n) => this.#devices.byName(n)?.ifindex,
      garp: (row) => this.#garp(row),
      log,
      onLeadingChanged: (service, leading) =>
        this.#metrics.leaseTransitions.inc({ service, event: leading ? 'acquired' : 'lost' }),
      onResponderWriteError: (row, reason) =>
        this.#metrics.responderWriteErrors.inc({ ip: row.ip, interface: row.iface, reason }),
    });
    // Before any store call: stale pinned entries must go even if the store is unreachable.
    this.#announcer.armInitialSync();
    const addrs = this.#devices.selected.flatMap((d) => d.addresses.filter((a) => !a.includes(':')));
    log(`node ${cfg.node}: ${await registerNode(this.#store, cfg.node, cfg.nodeLabels, addrs)}`);
    // Node Ready heartbeat (kubelet's node status loop), right after the Node exists. To become
    // a module {name, start, stop} when the agent is split into modules; stop() is synchronous.
    this.#nodeHeartbeat = new NodeHeartbeat({
      store: this.#store,
      nodeName: cfg.node,
      intervalMs: cfg.nodeStatusUpdateFrequencyMs,
      now: Date.now,
      log,
    });
    this.#nodeHeartbeat.start();
    await this.#announcer.start();
    if (!resumeAtOnce) void this.#announcer.initialSync.then(() => this.#stopped || this.#liveness.start());
    this.#api = await serveApi(cfg.apiSocket, () => this.status());
    if (cfg.metrics) await this.#metrics.listen(cfg.metrics.host, cfg.metrics.port);
    log(`agent ${cfg.node} running; API on ${cfg.apiSocket}`);
  }

  #garp(row: { ip: string; iface: string; ifindex: number }): void {
    const dev = this.#devices.byName(row.iface);
    if (!dev) throw new Error(`interface ${row.iface} not found`);
    const opts = { count: this.cfg.garpCount, intervalMs: this.cfg.garpIntervalMs };
    const rest = sendGarp(
      { ifindex: row.ifindex, iface: row.iface, mac: dev.mac },
      row.ip,
      opts,
      this.#garpAbort.signal,
    );
    this.#metrics.garpsSent.inc({ interface: row.iface });
    log(`GARP sent: ARP reply ${row.ip} is-at ${dev.mac} on ${row.iface}`);
    rest.then(
      (n) => n > 1 && this.#metrics.garpsSent.inc({ interface: row.iface }, n - 1),
      () => {},
    );
  }

  status(): AgentStatus {
    const byIndex = new Map(this.#devices.selected.map((d) => [d.ifindex, d.name]));
    const responder = this.#dp.responder.entries().map(([k, v]) => ({
      ip: k.ip,
      ifindex: k.ifindex,
      iface: byIndex.get(k.ifindex) ?? '?',
      responsesSent: String(v.responsesSent),
    }));
    const leases = this.#announcer.elections.snapshot().map((l) => ({
      service: l.service,
      lease: l.lease,
      holder: l.observed?.holderIdentity ?? '',
      leading: l.leading,
      renewTime: l.observed?.renewTime ?? '',
      transitions: l.observed?.leaseTransitions ?? 0,
    }));
    const l2: AgentStatus['l2'] = [];
    for (const s of this.#announcer.selected) {
      const lease = leases.find((l) => l.service === s.key);
      const ips = new Set(this.#announcer.rows.filter((r) => r.origins.includes(s.key)).map((r) => r.ip));
      const candidates = [
        ...(s.service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ''),
        ...(s.service.spec?.externalIPs ?? []),
      ];
      for (const ip of new Set(candidates.filter(Boolean))) {
        const sum = responder.filter((e) => e.ip === ip).reduce((a, e) => a + BigInt(e.responsesSent), 0n);
        l2.push({
          service: s.key,
          ip,
          interfaces: ips.has(ip)
            ? this.#announcer.rows.filter((r) => r.ip === ip).map((r) => r.iface)
            : s.devices,
          holder: lease?.holder ?? '',
          leading: lease?.leading ?? false,
          responses: String(sum),
        });
      }
    }
    const maps = [this.#dp.responder, this.#dp.runtimeConfig, this.#dp.devices, this.#dp.drops].map((m) => ({
      name: m.name,
      entries: m.count(),
      maxEntries: m.maxEntries,
    }));
    const runtimeConfig = [0, 1].map((i) => ({
      key: runtimeConfigName(i),
      value: String(this.#dp.runtimeConfig.get(i) ?? 0n),
    }));
    const age = this.#liveness.ageMs();
    return {
      node: this.cfg.node,
      store: this.cfg.store,
      pinDir: this.cfg.pinDir,
      devices: this.#devices.selected.map(({ name, ifindex, mac, addresses }) => ({
        name,
        ifindex,
        mac,
        addresses,
      })),
      livenessAgeMs: age === undefined ? null : age,
      livenessIntervalMs: this.cfg.livenessIntervalMs,
      maxLivenessMs: this.cfg.leaseDurationMs,
      initialSyncDone: this.#announcer.initialSyncDone,
      leases,
      responder,
      maps,
      runtimeConfig,
      l2,
    };
  }

  /** Graceful stop: release leases, stop liveness, keep pins and attachments. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#nodeHeartbeat?.stop(); // first, and never awaited: leaves Ready as last posted
    this.#garpAbort.abort();
    this.#api?.close();
    this.#metrics?.close();
    this.#devices?.stop();
    await this.#announcer?.stop();
    this.#liveness?.stop();
    this.#dp?.close();
    await this.#store?.close();
    log(`agent ${this.cfg.node} stopped; leases released, pinned maps left in ${this.cfg.pinDir}`);
  }
}

// The L2 announcements module of the agent: the announcer (selection → elections → desired rows
// → responder map), gratuitous ARP for new entries, its metrics, and its part of `waggle status`
// (leases, responder entries, and per service and IP what is announced where). It sees the rest
// of the agent only through the narrow interfaces below.
import type { Registry } from 'prom-client';
import type { Informers } from '../store/informer.js';
import type { Store } from '../store/types.js';
import { L2Announcer } from './announcer.js';
import { systemClock } from './clock.js';
import { sendGarp } from './garp.js';
import { L2Metrics } from './metrics.js';
import type { ResponderKey, ResponderMap } from './reconciler.js';
import { storeLeaseClient } from './store-lease-client.js';
import type { LeaseTimings } from './timings.js';

export interface L2Device {
  name: string;
  ifindex: number;
  mac: string;
}

export interface L2ModuleOptions {
  node: string;
  timings: LeaseTimings;
  garpCount: number;
  garpIntervalMs: number;
  /** How often the responder map is read for metrics. */
  sampleMs: number;
  store(): Store;
  informers(): Informers;
  responder(): ResponderMap & { entries(): Array<[ResponderKey, { responsesSent: bigint }]> };
  devices: {
    selected(): L2Device[];
    byName(name: string): L2Device | undefined;
    onChange(fn: () => void): void;
  };
  /** Holds the datapath's liveness back until the initial sync when pinned state was stale. */
  resumeLivenessAfter(ready: Promise<void>): void;
  log(msg: string): void;
}

export interface L2Status {
  initialSyncDone: boolean;
  leases: Array<{
    service: string;
    lease: string;
    holder: string;
    leading: boolean;
    renewTime: string;
    transitions: number;
  }>;
  responder: Array<{ ip: string; ifindex: number; iface: string; responsesSent: string }>;
  services: Array<{
    service: string;
    ip: string;
    interfaces: string[];
    holder: string;
    leading: boolean;
    responses: string;
  }>;
}

export class L2Module {
  readonly name = 'l2';
  readonly #o: L2ModuleOptions;
  readonly #garpAbort = new AbortController();
  #announcer: L2Announcer | undefined;
  #sample: L2Status['responder'] = [];
  #sampler: NodeJS.Timeout | undefined;
  #metrics: L2Metrics | undefined;

  constructor(opts: L2ModuleOptions) {
    this.#o = opts;
  }

  get announcer(): L2Announcer {
    if (!this.#announcer) throw new Error('l2 module not started');
    return this.#announcer;
  }

  async start(): Promise<void> {
    const o = this.#o;
    const store = o.store();
    const announcer = new L2Announcer({
      store,
      informers: o.informers(),
      leases: storeLeaseClient(store),
      nodeName: o.node,
      clock: systemClock,
      timings: o.timings,
      responder: o.responder(),
      deviceNames: () => o.devices.selected().map((d) => d.name),
      ifindexOf: (n) => o.devices.byName(n)?.ifindex,
      garp: (row) => this.#garp(row),
      log: o.log,
      onLeadingChanged: (service, leading) =>
        this.#metrics?.leaseTransitions.inc({ service, event: leading ? 'acquired' : 'lost' }),
      onResponderWriteError: (row, reason) =>
        this.#metrics?.responderWriteErrors.inc({ ip: row.ip, interface: row.iface, reason }),
    });
    this.#announcer = announcer;
    o.devices.onChange(() => announcer.devicesChanged());
    // Before any store call: stale pinned entries must go even if the store is unreachable.
    announcer.armInitialSync();
    o.resumeLivenessAfter(announcer.initialSync);
    await announcer.start();
    this.#sampler = setInterval(() => this.#sampleResponder(), this.#o.sampleMs);
    this.#sampler.unref();
    this.#sampleResponder();
  }

  /** Stops elections (releasing leases, which removes our rows) and gratuitous ARPs in flight. */
  async stop(): Promise<void> {
    if (this.#sampler) clearInterval(this.#sampler);
    this.#garpAbort.abort();
    await this.#announcer?.stop();
  }

  #garp(row: { ip: string; iface: string; ifindex: number }): void {
    const dev = this.#o.devices.byName(row.iface);
    if (!dev) throw new Error(`interface ${row.iface} not found`);
    const opts = { count: this.#o.garpCount, intervalMs: this.#o.garpIntervalMs };
    const rest = sendGarp(
      { ifindex: row.ifindex, iface: row.iface, mac: dev.mac },
      row.ip,
      opts,
      this.#garpAbort.signal,
    );
    this.#metrics?.garpsSent.inc({ interface: row.iface });
    this.#o.log(`GARP sent: ARP reply ${row.ip} is-at ${dev.mac} on ${row.iface}`);
    rest.then(
      (n) => n > 1 && this.#metrics?.garpsSent.inc({ interface: row.iface }, n - 1),
      () => {},
    );
  }

  #responderRows(): L2Status['responder'] {
    const byIndex = new Map(this.#o.devices.selected().map((d) => [d.ifindex, d.name]));
    return this.#o
      .responder()
      .entries()
      .map(([k, v]) => ({
        ip: k.ip,
        ifindex: k.ifindex,
        iface: byIndex.get(k.ifindex) ?? '?',
        responsesSent: String(v.responsesSent),
      }));
  }

  #sampleResponder(): void {
    try {
      this.#sample = this.#responderRows();
    } catch (err) {
      this.#o.log(`responder sample: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  status(): L2Status {
    const a = this.announcer;
    const responder = this.#responderRows();
    const leases = a.elections.snapshot().map((l) => ({
      service: l.service,
      lease: l.lease,
      holder: l.observed?.holderIdentity ?? '',
      leading: l.leading,
      renewTime: l.observed?.renewTime ?? '',
      transitions: l.observed?.leaseTransitions ?? 0,
    }));
    const services: L2Status['services'] = [];
    for (const s of a.selected) {
      const lease = leases.find((l) => l.service === s.key);
      const ips = new Set(a.rows.filter((r) => r.origins.includes(s.key)).map((r) => r.ip));
      const candidates = [
        ...(s.service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ''),
        ...(s.service.spec?.externalIPs ?? []),
      ];
      for (const ip of new Set(candidates.filter(Boolean))) {
        const sum = responder.filter((e) => e.ip === ip).reduce((n, e) => n + BigInt(e.responsesSent), 0n);
        services.push({
          service: s.key,
          ip,
          interfaces: ips.has(ip) ? a.rows.filter((r) => r.ip === ip).map((r) => r.iface) : s.devices,
          holder: lease?.holder ?? '',
          leading: lease?.leading ?? false,
          responses: String(sum),
        });
      }
    }
    return { initialSyncDone: a.initialSyncDone, leases, responder, services };
  }

  /** Registers this module's metrics; gauges read the leases in memory and the last sample. */
  registerMetrics(registers: Registry[]): void {
    this.#metrics = new L2Metrics(registers, {
      leasesHeld: () => this.#announcer?.elections.snapshot().filter((l) => l.leading).length ?? 0,
      responder: () => this.#sample,
      sampleSeconds: this.#o.sampleMs / 1000,
    });
  }
}

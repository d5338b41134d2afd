// Prometheus metrics of L2 announcements. Counters count events as they happen; gauges read
// cheap state on scrape — the leases in memory and the responder map as last sampled (walking a
// 4096-entry map on every scrape is what a scraper must never cost the datapath).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface L2MetricsSource {
  leasesHeld(): number;
  /** The responder map's entries as last sampled. */
  responder(): ReadonlyArray<{ ip: string; responsesSent: string }>;
  sampleSeconds: number;
}

export class L2Metrics {
  readonly leaseTransitions: Counter<'service' | 'event'>;
  readonly garpsSent: Counter<'interface'>;
  readonly responderWriteErrors: Counter<'ip' | 'interface' | 'reason'>;

  constructor(registers: Registry[], source: L2MetricsSource) {
    this.leaseTransitions = new Counter({
      name: 'waggle_l2_lease_transitions_total',
      help: 'Times this node started or stopped leading a service lease',
      labelNames: ['service', 'event'],
      registers,
    });
    this.responderWriteErrors = new Counter({
      name: 'waggle_l2_responder_write_errors_total',
      help: 'Desired responder entries that could not be written (reason map_full: 4096 entries reached); such an IP is not answered on that interface',
      labelNames: ['ip', 'interface', 'reason'],
      registers,
    });
    this.garpsSent = new Counter({
      name: 'waggle_l2_gratuitous_arps_sent_total',
      help: 'Gratuitous ARP packets sent',
      labelNames: ['interface'],
      registers,
    });
    new Gauge({
      name: 'waggle_l2_leases_held',
      help: 'Service leases this node holds',
      registers,
      collect() {
        this.set(source.leasesHeld());
      },
    });
    new Gauge({
      name: 'waggle_l2_responder_entries',
      help: `Entries in waggle_l2_responder_v4 (sampled every ${source.sampleSeconds} s)`,
      registers,
      collect() {
        this.set(source.responder().length);
      },
    });
    new Gauge({
      name: 'waggle_l2_responses_sent',
      help: `ARP replies sent by the datapath per announced IP, summed over interfaces (sampled every ${source.sampleSeconds} s)`,
      labelNames: ['ip'],
      registers,
      collect() {
        this.reset();
        const per = new Map<string, number>();
        for (const e of source.responder()) per.set(e.ip, (per.get(e.ip) ?? 0) + Number(e.responsesSent));
        for (const [ip, n] of per) this.set({ ip }, n);
      },
    });
  }
}

// Services metrics: how long a Service or EndpointSlice change takes to reach the maps — Cilium's
// cilium_service_implementation_delay, the histogram users ask for — and how many frontends and
// backends are programmed (gauges read from the last pass, never a map walk per scrape).
import { Gauge, Histogram, type Registry } from 'prom-client';

export type ChangeAction = 'add' | 'update' | 'delete';

export class ServicesMetrics {
  readonly delay: Histogram<'action'>;

  constructor(registers: Registry[], source: { frontends(): number; backends(): number }) {
    this.delay = new Histogram({
      name: 'waggle_service_implementation_delay_seconds',
      help: 'Time from a Service or EndpointSlice change reaching the agent to its rows written in the service maps',
      labelNames: ['action'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    new Gauge({
      name: 'waggle_services_frontends',
      help: 'Service frontends (address:port/protocol) in waggle_lb4_services_v2',
      registers,
      collect() {
        this.set(source.frontends());
      },
    });
    new Gauge({
      name: 'waggle_services_backends',
      help: 'Backends in waggle_lb4_backends_v3',
      registers,
      collect() {
        this.set(source.backends());
      },
    });
  }
}

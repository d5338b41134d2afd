// `waggle agent`: the node agent as a list of modules (module.ts), started in this order and
// stopped in reverse:
//   store      the store connection and the informers (one list+watch per kind it needs)
//   datapath   bpf_host.o loaded, maps pinned, occupancy sampled, host routing chosen
//   liveness   AgentLiveness for the datapath
//   devices    from_netdev (and with eBPF masquerading to_netdev) on the selected native devices
//   node       this node's Node object and its Ready heartbeat
//   l2         L2 announcements: elections, the responder map, gratuitous ARP
//   endpoint-objects  CiliumEndpoint/CiliumNode writes, queued and retried
//   endpoints  pods: waggle_host, pod IPAM, the CNI plugin's ADD/DEL, bpf_lxc, the health endpoint
//   ipcache    the cluster's nodes and pods in waggle_ipcache
//   routing    node routes (--auto-direct-node-routes)
//   masquerade masquerading of pod traffic leaving the cluster: iptables rules, or (eBPF) the
//              ip-masq-agent's prefixes in waggle_ipmasq_v4
//   services   Services × EndpointSlices → the service maps; socket LB on the node's cgroup
//   health     cluster health probes, and the :4240 listener other nodes probe
//   events     the datapath's ring buffer → `waggle monitor`
//   api        the API socket (status, maps, endpoints, CNI, health, monitor)
//   metrics    the Prometheus endpoint, when asked for
// SIGTERM releases leases (which removes our responder entries), stops liveness and leaves the
// pinned maps and tc attachments, so a restarted agent continues where this one stopped.
import { fileURLToPath } from 'node:url';
import { RuntimeConfigIndex } from '../datapath/maps/runtime-config.js';
import type { EndpointsModule } from '../endpoints/module.js';
import { EventsModule, MONITOR_PATH, monitorStream } from '../events/index.js';
import { L2Module } from '../l2announcer/module.js';
import { HealthListener } from '../health/listener.js';
import { HealthModule, healthRoute } from '../health/module.js';
import { MasqueradeModule } from '../masquerade/module.js';
import { RoutingModule } from '../routing/module.js';
import { IngressModule } from '../ingress/module.js';
import { ServicesModule } from '../services/module.js';
import { asLog, createLogger, type Log } from '../lib/log.js';
import { type ApiRoutes, serveApi } from './api-server.js';
import { cniRoute, inProcessTransport } from './cni-route.js';
import type { AgentConfig } from './flags.js';
import { AgentMetrics } from './metrics.js';
import { type AgentModule, ModuleList } from './module.js';
import { DatapathModule } from './modules/datapath.js';
import { DevicesModule } from './modules/devices.js';
import { endpointsModules } from './modules/endpoints.js';
import { LivenessModule } from './modules/liveness.js';
import { NodeModule } from './modules/node.js';
import { StoreModule } from './modules/store.js';
import type { AgentStatus } from './status.js';

const OBJECT = fileURLToPath(new URL('../../../build/bpf/bpf_host.o', import.meta.url));
const SOCK_OBJECT = fileURLToPath(new URL('../../../build/bpf/bpf_sock.o', import.meta.url));

const logger = createLogger('agent');
/** The agent's own log (one line per record, `<time> <level> agent: <message>`). */
export const log: Log = asLog(logger);
/** A module's log, named `agent/<module>`. */
const logOf = (module: string): Log => asLog(logger.child(module));

export interface AgentParts {
  store: StoreModule;
  datapath: DatapathModule;
  liveness: LivenessModule;
  devices: DevicesModule;
  node: NodeModule;
  l2: L2Module;
  endpoints: EndpointsModule;
  events: EventsModule;
  masquerade: MasqueradeModule;
  routing: RoutingModule;
  health: HealthModule;
  services: ServicesModule;
  ingress: IngressModule;
}

export class Agent {
  readonly cfg: AgentConfig;
  readonly parts: AgentParts;
  readonly modules: ModuleList;

  /** @param extra modules appended after the standard ones (tests inject a failing one). */
  constructor(cfg: AgentConfig, extra: AgentModule[] = []) {
    this.cfg = cfg;
    const store = new StoreModule(cfg.store, logOf('store'));
    const bpfMasq = cfg.masquerade.enabled && cfg.masquerade.mode === 'bpf';
    const datapath = new DatapathModule({
      objPath: OBJECT,
      pinDir: cfg.pinDir,
      maxLivenessNs: BigInt(Math.round(cfg.leaseDurationMs * 1e6)),
      ...(bpfMasq
        ? {
            masquerade: {
              ...(cfg.routing.nativeRoutingCidr ? { nativeRoutingCidr: cfg.routing.nativeRoutingCidr } : {}),
              ipMasqAgent: cfg.masquerade.ipMasqAgentConfig !== undefined,
            },
          }
        : {}),
      hostRouting: {
        legacyRequested: cfg.routing.hostLegacyRouting,
        masquerade: cfg.masquerade.enabled ? cfg.masquerade.mode : 'disabled',
      },
      mapSizes: {
        services: cfg.services.sizes.services,
        backends: cfg.services.sizes.backends,
        reverseNat: cfg.services.sizes.reverseNat,
        ...cfg.services.ctSizes,
      },
      lb: { perPacket: true, nodePort: cfg.services.nodePort },
      sampleMs: cfg.mapSampleMs,
      log: logOf('datapath'),
    });
    const liveness = new LivenessModule({
      runtimeConfig: () => datapath.dp.runtimeConfig,
      intervalMs: cfg.livenessIntervalMs,
      maxLivenessMs: cfg.leaseDurationMs,
      log: logOf('liveness'),
    });
    const devices = new DevicesModule({
      program: () => datapath.dp.fromNetdev,
      // to_netdev masquerades (eBPF mode) and sends the node's own replies as a service backend
      // as from the frontend (NodePort).
      ...(bpfMasq || cfg.services.nodePort ? { egressProgram: () => datapath.dp.toNetdev } : {}),
      devicesMap: () => datapath.dp.devices,
      patterns: cfg.devicePatterns,
      log: logOf('devices'),
    });
    const node = new NodeModule({
      store: () => store.store,
      node: cfg.node,
      labels: cfg.nodeLabels,
      heartbeatMs: cfg.nodeStatusUpdateFrequencyMs,
      addresses: () => devices.selected.flatMap((d) => d.addresses.filter((a) => !a.includes(':'))),
      log: logOf('node'),
    });
    const l2 = new L2Module({
      node: cfg.node,
      timings: cfg.timings,
      garpCount: cfg.garpCount,
      garpIntervalMs: cfg.garpIntervalMs,
      sampleMs: cfg.mapSampleMs,
      store: () => store.store,
      informers: () => store.informers,
      responder: () => datapath.dp.responder,
      devices: {
        selected: () => devices.selected,
        byName: (n) => devices.byName(n),
        onChange: (fn) => devices.onChange(fn),
      },
      resumeLivenessAfter: (ready) => liveness.resumeAfter(ready),
      log: logOf('l2'),
    });
    const nodeAddresses = () => devices.selected.flatMap((d) => d.addresses.filter((a) => !a.includes(':')));
    const pods = endpointsModules({
      node: cfg.node,
      ipam: cfg.ipam,
      stateDir: cfg.stateDir,
      endpointRoutes: cfg.endpointRoutes,
      mtu: cfg.mtu,
      nodeLabels: cfg.nodeLabels,
      store: () => store.store,
      informers: () => store.informers,
      datapath: () => datapath.dp,
      nodeAddresses,
      log: logOf('endpoints'),
      onPodCidr: () => void masquerade.refresh(),
    });
    const routing = new RoutingModule({
      node: cfg.node,
      informers: () => store.informers,
      enabled: cfg.routing.autoDirectNodeRoutes,
      log: logOf('routing'),
    });
    const health = new HealthModule({
      node: cfg.node,
      informers: () => store.informers,
      log: logOf('health'),
    });
    const masquerade = new MasqueradeModule({
      enabled: cfg.masquerade.enabled,
      mode: cfg.masquerade.mode,
      ipmasq: () => datapath.dp.ipmasq,
      devices: () => devices.selected.map((d) => d.name),
      podCidr: () => pods.endpoints.status().podCidr,
      nativeRoutingCidr: cfg.routing.nativeRoutingCidr,
      ...(cfg.masquerade.ipMasqAgentConfig ? { ipMasqAgentConfig: cfg.masquerade.ipMasqAgentConfig } : {}),
      log: logOf('masquerade'),
    });
    const services = new ServicesModule({
      node: cfg.node,
      objPath: SOCK_OBJECT,
      pinDir: cfg.pinDir,
      stateDir: cfg.stateDir,
      ...cfg.services,
      informers: () => store.informers,
      devices: () => devices.selected.map((d) => ({ name: d.name, addresses: d.addresses })),
      registerMaps: (maps) => datapath.registerMaps(maps),
      log: logOf('services'),
    });
    const ingress = new IngressModule({
      ...cfg.ingress,
      stateDir: cfg.stateDir,
      informers: () => store.informers,
      addresses: nodeAddresses,
      log: logOf('ingress'),
    });
    const events = new EventsModule({
      ringbufFd: () => datapath.dp.events.raw.fd,
      kernelLost: () => datapath.dp.eventsLost.get(0) ?? 0n,
      setTraceEvents: (on) => datapath.dp.runtimeConfig.set(RuntimeConfigIndex.TraceEvents, on ? 1n : 0n),
      log: logOf('events'),
    });
    this.parts = {
      store,
      datapath,
      liveness,
      devices,
      node,
      l2,
      endpoints: pods.endpoints,
      events,
      masquerade,
      routing,
      health,
      services,
      ingress,
    };
    this.modules = new ModuleList(
      [
        store,
        datapath,
        liveness,
        devices,
        node,
        l2,
        ...pods.modules,
        routing,
        masquerade,
        services,
        ingress,
        health,
        new HealthListener(logOf('health')),
        events,
        this.#apiModule(),
        ...this.#metricsModule(),
        ...extra,
      ],
      log,
    );
  }

  async start(): Promise<void> {
    await this.modules.start();
    log(`agent ${this.cfg.node} running; API on ${this.cfg.apiSocket}`);
  }

  /** Graceful stop: release leases, stop liveness, keep pins and attachments. */
  async stop(): Promise<void> {
    await this.modules.stop('shutdown');
    log(`agent ${this.cfg.node} stopped; leases released, pinned maps left in ${this.cfg.pinDir}`);
  }

  status(): AgentStatus {
    const p = this.parts;
    return {
      node: this.cfg.node,
      modules: this.modules.states(),
      store: p.store.status(),
      datapath: p.datapath.status(),
      devices: p.devices.status(),
      liveness: p.liveness.status(),
      l2: p.l2.status(),
      endpoints: p.endpoints.status(),
      events: p.events.status(),
      masquerade: p.masquerade.status(),
      routing: p.routing.status(),
      health: p.health.status(),
      services: p.services.status(),
      ingress: p.ingress.status(),
    };
  }

  #apiModule(): AgentModule {
    let server: { close(): void } | undefined;
    const dp = this.parts.datapath;
    const methods = this.parts.endpoints.routes();
    const routes: ApiRoutes = {
      exact: {
        '/v1/status': () => this.status(),
        '/v1/maps': () => dp.summaries(),
        '/v1/health': () => healthRoute(this.parts.health),
        '/v1/services': () => this.parts.services.serviceList(),
        '/v1/lb': () => this.parts.services.lbList(),
      },
      prefix: {
        '/v1/maps/': (name) => dp.rows(name, { ifname: (i) => this.parts.devices.byIndex(i)?.name }),
      },
      methods,
      raw: {
        'POST /v1/cni': cniRoute(
          inProcessTransport(this.cfg.apiSocket, () => methods),
          log,
        ),
      },
      streams: {
        [MONITOR_PATH]: monitorStream({
          hub: this.parts.events.hub,
          ringBytes: () => this.parts.events.ringBytes,
          ifname: (i) => this.parts.devices.byIndex(i)?.name ?? this.parts.endpoints.ifname(i),
        }),
      },
    };
    return {
      name: 'api',
      start: async () => {
        server = await serveApi(this.cfg.apiSocket, routes);
      },
      stop: () => server?.close(),
    };
  }

  #metricsModule(): AgentModule[] {
    const where = this.cfg.metrics;
    if (!where) return [];
    const metrics = new AgentMetrics({
      livenessAgeMs: () => this.parts.liveness.status().ageMs,
      maps: () => this.parts.datapath.sampled(),
      ctEvictions: () => this.parts.datapath.ctEvictions(),
      watches: () => this.parts.store.watchStats(),
    });
    this.parts.l2.registerMetrics([metrics.registry]);
    this.parts.services.registerMetrics([metrics.registry]);
    return [
      {
        name: 'metrics',
        start: () => metrics.listen(where.host, where.port),
        stop: () => metrics.close(),
      },
    ];
  }
}

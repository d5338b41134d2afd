// The agent's endpoints module: waits for this node's PodCIDR, builds the node's devices
// (waggle_host/waggle_net, the router IP), takes back the endpoints of an earlier run, builds
// the health endpoint, and then serves the CNI plugin's calls. The module starts at once and
// gets ready in the background: an agent whose node has no PodCIDR yet still announces
// services, and a CNI ADD meanwhile gets "try again later" (CNI code 11) naming the reason.
import { join } from 'node:path';
import { ApiError, type Handler } from '../agent/api-server.js';
import type { AgentModule, StopReason } from '../agent/module.js';
import { errorMessage } from '../lib/errors.js';
import { HealthEndpoint } from './health.js';
import { EndpointManager, ownerOf } from './manager.js';
import { hostDeviceAddresses, ensureHostDevices, type HostDevices } from './node-plumbing.js';
import type { EndpointAddRequest, EndpointCheckRequest, EndpointGcRequest } from '../api/cni-protocol.js';
import { CniCode } from '../api/cni-protocol.js';
import type { EndpointDatapath, Identities, PodIpam } from './ports.js';
import { RecordStore } from './record.js';
import { ipInCidr } from './cidr.js';
import { HOST_DEVICE } from './names.js';
import type { EndpointView, HostEndpointView, NodeAddressing } from './views.js';

/** GET /v1/endpoints. */
export interface EndpointsReply {
  node: NodeAddressing;
  host?: HostEndpointView;
  endpoints: EndpointView[];
}

const RETRY_MS = 1000;
const PENDING_IDENTITY_MS = 2000;

export interface NodeDatapathHooks {
  /** waggle_lxc HOST entries and ipcache identity 1 for the router IP and the node's addresses. */
  hostAddresses(ips: string[]): void;
  /** Attaches from_host on waggle_host's egress (PodCIDR routed via waggle_host). */
  attachFromHost(dev: HostDevices): void;
}

export interface EndpointsModuleOptions {
  node: string;
  /** Endpoint records live in `<stateDir>/endpoints/`. */
  stateDir: string;
  endpointRoutes: boolean;
  mtu: number;
  /** Resolves with the node's PodCIDR once it is known (Node or CiliumNode). */
  podCidr(signal: AbortSignal): Promise<string>;
  makeIpam(cidr: string): PodIpam;
  datapath(): EndpointDatapath;
  hooks(): NodeDatapathHooks;
  nodeAddresses(): string[];
  /** The host endpoint's labels (Cilium form: the node's labels as k8s:…, then reserved:host). */
  hostLabels(): string[];
  identities(): Identities;
  labelsOf(req: EndpointAddRequest): Promise<string[]>;
  log(msg: string): void;
  onChange?(rec: import('./record.js').EndpointRecord, op: 'upsert' | 'delete'): void;
  /** Once ready (and again after a restart): the node's router and health addresses. */
  onReady?(facts: {
    podCidr: string;
    router: string;
    health?: string;
    live: import('./record.js').EndpointRecord[];
  }): void;
}

export type EndpointsPhase = 'waiting-for-podcidr' | 'ready' | 'failed';

export interface EndpointsStatus {
  phase: EndpointsPhase;
  message: string;
  podCidr?: string;
  router?: string;
  ipam?: string;
  endpointRoutes: boolean;
  allocated: Array<{ ip: string; owner: string }>;
  endpoints: number;
}

export class EndpointsModule implements AgentModule {
  readonly name = 'endpoints';
  readonly #o: EndpointsModuleOptions;
  readonly #abort = new AbortController();
  #records: RecordStore | undefined;
  #manager: EndpointManager | undefined;
  #ipam: PodIpam | undefined;
  #router: string | undefined;
  #health: HealthEndpoint | undefined;
  #phase: EndpointsPhase = 'waiting-for-podcidr';
  #message = "waiting for this node's PodCIDR";
  #preparing: Promise<void> | undefined;
  #pending: NodeJS.Timeout | undefined;
  #host: HostEndpointView | undefined;

  constructor(opts: EndpointsModuleOptions) {
    this.#o = opts;
  }

  get manager(): EndpointManager {
    if (!this.#manager) throw new Error('endpoints module not started');
    return this.#manager;
  }

  get ready(): boolean {
    return this.#phase === 'ready';
  }

  start(): void {
    const o = this.#o;
    this.#records = new RecordStore(join(o.stateDir, 'endpoints'));
    this.#manager = new EndpointManager({
      node: o.node,
      records: this.#records,
      ipam: () => this.#ipam,
      router: () => this.#router,
      datapath: o.datapath(),
      identities: o.identities(),
      labelsOf: o.labelsOf,
      endpointRoutes: o.endpointRoutes,
      mtu: o.mtu,
      log: o.log,
      ...(o.onChange ? { onChange: o.onChange } : {}),
    });
    this.#preparing = this.#prepareUntilDone();
  }

  async #prepareUntilDone(): Promise<void> {
    const signal = this.#abort.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.#prepare(signal);
        return;
      } catch (err) {
        if (signal.aborted) return;
        this.#phase = 'failed';
        this.#message = errorMessage(err);
        if (attempt === 1 || attempt % 30 === 0)
          this.#o.log(`endpoints not ready (attempt ${attempt}): ${this.#message}`);
        await abortableSleep(RETRY_MS, signal);
      }
    }
  }

  async #prepare(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const records = this.#records as RecordStore;
    const cidr = await o.podCidr(signal);
    if (signal.aborted) return;
    const ipam = o.makeIpam(cidr);
    // The router IP of an earlier run stays (pods have it as their gateway); else a fresh one.
    const previous = (await hostDeviceAddresses()).find((a) => ipInCidr(a, cidr));
    let router: string;
    if (previous) {
      ipam.allocateSpecific(previous, 'router');
      router = previous;
    } else router = ipam.allocate('router');
    for (const a of o.nodeAddresses()) if (ipInCidr(a, cidr)) ipam.allocateSpecific(a, 'node-ip');
    const dev = await ensureHostDevices({
      routerIp: router,
      podCidr: cidr,
      endpointRoutes: o.endpointRoutes,
      mtu: o.mtu,
    });
    const hooks = o.hooks();
    hooks.hostAddresses([router, ...o.nodeAddresses()]);
    if (!o.endpointRoutes) hooks.attachFromHost(dev);
    this.#ipam = ipam;
    this.#router = router;
    const saved = records.load(o.log);
    await this.manager.restore(saved);
    this.#host = {
      id: this.manager.allocateId(),
      labels: o.hostLabels(),
      ifname: HOST_DEVICE,
      ifindex: dev.hostIfindex,
      mac: dev.hostMac,
    };
    if (signal.aborted) return;
    const health = new HealthEndpoint({
      manager: this.manager,
      records,
      ipam,
      gateway: router,
      datapath: o.datapath(),
      endpointRoutes: o.endpointRoutes,
      mtu: o.mtu,
      log: o.log,
    });
    this.#health = health;
    await health.start(saved.find((r) => r.kind === 'health'));
    this.#phase = 'ready';
    const healthIp = health.record?.ipv4;
    o.onReady?.({
      podCidr: cidr,
      router,
      ...(healthIp ? { health: healthIp } : {}),
      live: this.manager.list(),
    });
    this.#message = `${ipam.statusString()}, router ${router}`;
    o.log(
      `endpoints ready: PodCIDR ${cidr}, router ${router} on waggle_host, ${this.manager.list().length} endpoint(s)`,
    );
    this.#pending = setInterval(() => void this.manager.resolvePending(), PENDING_IDENTITY_MS);
    this.#pending.unref();
  }

  /** Pods keep running and keep their datapath whatever the reason; the health endpoint goes. */
  async stop(reason: StopReason): Promise<void> {
    this.#abort.abort();
    if (this.#pending) clearInterval(this.#pending);
    await this.#health?.stop(reason);
    await Promise.race([this.#preparing, new Promise((r) => setTimeout(r, 500))]);
  }

  /** The name of an endpoint's host-side device by ifindex (for monitor lines). */
  ifname(ifindex: number): string | undefined {
    if (this.#host?.ifindex === ifindex) return this.#host.ifname;
    return this.#manager?.list().find((r) => r.hostIfindex === ifindex)?.hostIfname;
  }

  status(): EndpointsStatus {
    return {
      phase: this.#phase,
      message: this.#message,
      ...(this.#ipam ? { podCidr: this.#ipam.cidr, ipam: this.#ipam.statusString() } : {}),
      ...(this.#router ? { router: this.#router } : {}),
      endpointRoutes: this.#o.endpointRoutes,
      allocated: this.#ipam?.list() ?? [],
      endpoints: this.#manager?.list().length ?? 0,
    };
  }

  /** The CNI plugin's routes (protocol.ts). */
  routes(): Record<string, Handler> {
    const notReady = () => {
      if (this.#phase !== 'ready')
        throw new ApiError(
          503,
          CniCode.TryAgainLater,
          `agent ${this.#o.node}: endpoints not ready: ${this.#message}`,
        );
    };
    return {
      'PUT /v1/endpoints': (req) => {
        notReady();
        return this.manager.add(req.body as EndpointAddRequest);
      },
      'DELETE /v1/endpoints': async (req) => {
        // Before the restore has read the records, "unknown" could be wrong: a DEL now would
        // succeed and leave behind the endpoint the restore then takes back. The runtime retries.
        notReady();
        const containerId = req.query.get('containerId') ?? '';
        const ifname = req.query.get('ifname') ?? '';
        if (!containerId) throw new ApiError(400, CniCode.InvalidEnvironment, 'CNI_CONTAINERID: missing');
        if (!ifname) throw new ApiError(400, CniCode.InvalidEnvironment, 'CNI_IFNAME: missing');
        return { deleted: await this.manager.del(containerId, ifname) };
      },
      'POST /v1/endpoints/check': async (req) => {
        notReady();
        return { problems: await this.manager.check(req.body as EndpointCheckRequest) };
      },
      'POST /v1/endpoints/gc': async (req) => {
        notReady();
        const body = req.body as EndpointGcRequest | undefined;
        if (!body || !Array.isArray(body.valid))
          throw new ApiError(400, CniCode.InvalidNetworkConfig, 'cni.dev/valid-attachments: missing');
        return { deleted: await this.manager.gc(body.valid) };
      },
      'GET /v1/healthz': () => {
        notReady();
        return { ok: true };
      },
      'GET /v1/endpoints': (): EndpointsReply => ({
        node: {
          ...(this.#ipam ? { podCidr: this.#ipam.cidr } : {}),
          ...(this.#router ? { router: this.#router } : {}),
        },
        ...(this.#host ? { host: this.#host } : {}),
        endpoints: this.manager
          .list()
          .map((r) => ({ ...r, owner: ownerOf(r), restored: this.manager.restored(r.id) })),
      }),
    };
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (its timer cleared, nothing left behind). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

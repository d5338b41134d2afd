// The agent's state as the API socket serves it (JSON): one key per module, as `waggle status`,
// `waggle l2 list` and the tests read it. `waggle map list|get` read /v1/maps instead.
import type { EndpointsStatus } from '../endpoints/module.js';
import type { EventsStatus } from '../events/index.js';
import type { HealthStatus } from '../health/health-status.js';
import type { MasqueradeStatus } from '../masquerade/module.js';
import type { RoutingStatus } from '../routing/module.js';
import type { L2Status } from '../l2announcer/module.js';
import type { IngressStatus } from '../ingress/module.js';
import type { ServicesStatus } from '../services/module.js';
import type { ModuleState } from './module.js';

export interface MapSummary {
  name: string;
  entries: number;
  maxEntries: number;
}

export interface MapRows {
  name: string;
  columns: string[];
  rows: string[][];
}

export interface AgentStatus {
  node: string;
  modules: Array<{ name: string; state: ModuleState }>;
  store: { url: string; watching: string[] };
  /** hostRouting is absent from agents built before eBPF host routing. */
  datapath: { pinDir: string; maps: MapSummary[]; hostRouting?: { mode: 'BPF' | 'Legacy'; reason?: string } };
  devices: Array<{ name: string; ifindex: number; mac: string; addresses: string[] }>;
  liveness: { ageMs: number | null; intervalMs: number; maxMs: number };
  l2: L2Status;
  /** Absent from agents built before endpoints existed. */
  endpoints?: EndpointsStatus;
  events?: EventsStatus;
  masquerade?: MasqueradeStatus;
  routing?: RoutingStatus;
  health?: HealthStatus;
  services?: ServicesStatus;
  ingress?: IngressStatus;
}

// The agent's state as the API socket serves it (JSON), and as `waggle status`, `waggle map …`
// and `waggle l2 list` print it.

export interface AgentStatus {
  node: string;
  store: string;
  pinDir: string;
  devices: Array<{ name: string; ifindex: number; mac: string; addresses: string[] }>;
  livenessAgeMs: number | null;
  livenessIntervalMs: number;
  maxLivenessMs: number;
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
  maps: Array<{ name: string; entries: number; maxEntries: number }>;
  runtimeConfig: Array<{ key: string; value: string }>;
  l2: Array<{
    service: string;
    ip: string;
    interfaces: string[];
    holder: string;
    leading: boolean;
    responses: string;
  }>;
}

// The agent API that waggle-cni speaks (types only, so the plugin imports nothing heavy). The
// runtime's view of a pod attachment is {containerId, ifname}; the agent answers with what the
// CNI result needs. Every failure is `{error, code}` where code is a CNI error code (the CNI
// spec's 1..11, or waggle's 100+), so the plugin passes it through unchanged.
//
//   PUT    /v1/endpoints                       EndpointAddRequest → EndpointAddReply
//   DELETE /v1/endpoints?containerId=…&ifname=… → {deleted: boolean}   (never fails for "unknown")
//   POST   /v1/endpoints/check                 EndpointCheckRequest → {problems: string[]}
//   POST   /v1/endpoints/gc                    EndpointGcRequest → {deleted: string[]}
//   GET    /v1/healthz                         → {ok: true} when endpoints can be added

/** CNI error codes (CNI spec, "Error" section) and waggle's own (100 and up). */
export const CniCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  /** STATUS (CNI 1.1): the plugin cannot service ADD requests (here: the agent is not answering). */
  PluginNotAvailable: 50,
  /** STATUS (CNI 1.1): as 50, and existing containers may have limited connectivity. */
  PluginNotAvailableLimited: 51,
  /** No free address in this node's PodCIDR. */
  IpamExhausted: 100,
  /** The agent failed to build the endpoint (veth, routes, datapath). */
  EndpointFailed: 101,
  /** The node has no PodCIDR yet (IPAM not ready). */
  IpamNotReady: 102,
} as const;

export interface EndpointAddRequest {
  containerId: string;
  /** CNI_IFNAME: the interface name inside the pod, e.g. eth0. */
  ifname: string;
  /** CNI_NETNS: path of the pod's network namespace. */
  netns: string;
  /** From CNI_ARGS K8S_POD_NAMESPACE / K8S_POD_NAME when the runtime passes them. */
  podNamespace?: string;
  podName?: string;
  /** Labels the runtime passes (CNI `args.labels` / `args.cni.labels`), used when no Pod exists. */
  labels?: Record<string, string>;
  /** MTU asked for in the network config, if any. */
  mtu?: number;
}

export interface EndpointAddReply {
  id: number;
  ipv4: string;
  /** The router IP: the pod's gateway. */
  gateway: string;
  hostIfname: string;
  hostMac: string;
  containerIfname: string;
  containerMac: string;
  netns: string;
  identity: number;
  mtu: number;
}

export interface EndpointCheckRequest {
  containerId: string;
  ifname: string;
  netns: string;
  /** The address from the prevResult, e.g. 10.200.1.23/32. */
  addresses: string[];
}

export interface EndpointGcRequest {
  /** Attachments the runtime still has; every other endpoint of this agent is removed. */
  valid: Array<{ containerId: string; ifname: string }>;
}

export interface ApiErrorBody {
  error: string;
  code: number;
}

/** The endpoint key the runtime knows: Cilium's `<containerID>:<ifname>`. */
export function attachmentId(containerId: string, ifname: string): string {
  return `${containerId}:${ifname}`;
}

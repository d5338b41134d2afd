// A pod datapath case: the endpoint the object is loaded for, the maps the agent would have
// written, one frame into from_container (or to_container), and what must come out.
import type { EndpointInfo } from '../maps/endpoints.js';
import type { RemoteEndpointInfo } from '../maps/ipcache.js';

export const POD = {
  endpointId: 1234,
  ipv4: '10.200.1.5',
  podMac: '02:00:00:00:00:a1',
  lxcMac: '02:00:00:00:01:a1',
  ifindex: 17,
  secId: 4242,
} as const;

export interface LxcCase {
  name: string;
  why: string;
  program?: 'fromContainer' | 'toContainer';
  frame: Buffer;
  setup?: {
    /** waggle_lxc rows besides the pod's own (which is always there). */
    endpoints?: Array<{ ip: string; info: EndpointInfo }>;
    ipcache?: Array<{ prefix: string; info: RemoteEndpointInfo }>;
    /** RuntimeConfigIndex.TraceEvents on. */
    traces?: boolean;
  };
  expect: {
    verdict: number;
    frame: Buffer | 'unchanged';
    /** waggle_drops after the run (and so waggle_metrics, dir EGRESS); default none. */
    drops?: Array<{ reason: number; count: bigint }>;
    /** Records written to waggle_events, by kind; default none. */
    events?: { traces?: number; drops?: number };
  };
}

/** The pod's own waggle_lxc entry. */
export const POD_ENTRY: EndpointInfo = {
  ifindex: POD.ifindex,
  lxcId: POD.endpointId,
  flags: 0,
  mac: POD.podMac,
  nodeMac: POD.lxcMac,
  secId: POD.secId,
};

// The ADD result in the version the runtime asked for (CNI spec section 5 "ADD Success"), built
// from the agent's EndpointAddReply. Same shape as Cilium's (plugins/cilium-cni/cmd/cmd.go): the
// host veth first, the pod's interface second with its netns as `sandbox`; the /32 address on
// interface 1 with the router IP as gateway; a route to the router itself (it is not on any
// subnet the pod has) and the default route through it.
import type { EndpointAddReply } from '../api/cni-protocol.js';
import { type CniVersion, interfacesCarryMtu, ipsCarryVersion } from './versions.js';

export interface CniInterface {
  name: string;
  mac: string;
  mtu?: number;
  sandbox?: string;
}

export interface CniIp {
  version?: '4';
  address: string;
  gateway: string;
  interface: number;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

export interface CniAddResult {
  cniVersion: CniVersion;
  interfaces: CniInterface[];
  ips: CniIp[];
  routes: CniRoute[];
  dns: Record<string, never>;
}

/** Index of the pod's interface in `interfaces`: what each IP's `interface` points at. */
const CONTAINER_INTERFACE = 1;

export function addResult(reply: EndpointAddReply, v: CniVersion): CniAddResult {
  const withMtu = interfacesCarryMtu(v);
  const host: CniInterface = { name: reply.hostIfname, mac: reply.hostMac };
  const pod: CniInterface = { name: reply.containerIfname, mac: reply.containerMac };
  if (withMtu) {
    host.mtu = reply.mtu;
    pod.mtu = reply.mtu;
  }
  pod.sandbox = reply.netns;
  // The agent answers a bare address; a prefix, if it ever sends one, is kept as sent.
  const address = reply.ipv4.includes('/') ? reply.ipv4 : `${reply.ipv4}/32`;
  const ip: CniIp = ipsCarryVersion(v)
    ? { version: '4', address, gateway: reply.gateway, interface: CONTAINER_INTERFACE }
    : { address, gateway: reply.gateway, interface: CONTAINER_INTERFACE };
  return {
    cniVersion: v,
    interfaces: [host, pod],
    ips: [ip],
    routes: [{ dst: `${reply.gateway}/32` }, { dst: '0.0.0.0/0', gw: reply.gateway }],
    dns: {},
  };
}

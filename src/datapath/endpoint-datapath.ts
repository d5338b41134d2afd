// The pod datapath as the agent uses it: one bpf_lxc.o per endpoint (spec in objects/lxc.ts),
// loaded with the endpoint's constants, its maps shared with bpf_host and every other endpoint
// through pins by name in one directory, and its programs attached through pinned tcx links.
//
//   const ep = loadEndpointProgram({ pinDir, endpointId: 1234, ipv4: '10.200.1.5',
//                                    lxcMac: 'aa:bb:cc:dd:ee:01', ifindex: 17 });
//   attachEndpoint(ep.fromContainer, 17, 'ingress', `${linkDir}/lxc17_ingress`);
//   attachEndpoint(ep.toContainer, 17, 'egress', `${linkDir}/lxc17_egress`);  // endpoint routes
//   ep.close();               // our fds go; the pinned links keep the programs attached
//   detachPinned(`${linkDir}/lxc17_ingress`);  // when the endpoint is deleted
//
// The agent writes the endpoint's own waggle_lxc entry (its sec_id is the source identity of
// its notifications) and the ipcache; this module does not.
import {
  attachTcxPinned,
  type BpfObject,
  type BpfProgram,
  type Direction,
  detachPinnedTcx,
} from '../bpf/index.js';
import { type LoadedObject, loadObject } from '../bpf/loader.js';
import { checkEndpointId, encodeEndpointIpv4, encodeInterfaceMac, lxcObject } from './objects/lxc.js';

export const LXC_OBJECT_PATH = lxcObject.path;

type EndpointMaps = LoadedObject<typeof lxcObject>['maps'];

export interface EndpointProgramOptions {
  /** Directory on a bpffs with the shared maps (bpf_host's pin directory). */
  pinDir: string;
  /** Defaults to build/bpf/bpf_lxc.o. */
  objPath?: string;
  /** 1..65535. */
  endpointId: number;
  /** The pod's IPv4, dotted quad: the only source address from_container lets out. */
  ipv4: string;
  /** The host-side lxc device's MAC: what the pod's ARP requests are answered with. */
  lxcMac: string;
  /** The lxc device's ifindex. */
  ifindex: number;
}

export interface EndpointProgram {
  readonly object: BpfObject;
  /** tc(x) ingress of the lxc device: packets leaving the pod. */
  readonly fromContainer: BpfProgram;
  /** tc(x) egress of the lxc device: packets entering the pod (with endpoint routes). */
  readonly toContainer: BpfProgram;
  readonly maps: EndpointMaps;
  /** Releases our fds; pinned maps and pinned links stay. */
  close(): void;
}

export function loadEndpointProgram(opts: EndpointProgramOptions): EndpointProgram {
  const loaded = loadObject(lxcObject, {
    ...(opts.objPath ? { path: opts.objPath } : {}),
    pinDir: opts.pinDir,
    constants: {
      endpointId: checkEndpointId(opts.endpointId),
      endpointIpv4: encodeEndpointIpv4(opts.ipv4),
      interfaceMac: encodeInterfaceMac(opts.lxcMac),
      interfaceIfindex: opts.ifindex,
    },
  });
  return {
    object: loaded.object,
    fromContainer: loaded.programs.fromContainer,
    toContainer: loaded.programs.toContainer,
    maps: loaded.maps,
    close: loaded.close,
  };
}

/**
 * Attaches `prog` to the device's tcx hook through a link pinned at `pinPath` (on a bpffs), so
 * it stays attached when the agent exits or restarts; a link already pinned there is replaced
 * without a gap. Returns the program id.
 */
export function attachEndpoint(
  prog: BpfProgram,
  ifindex: number,
  direction: Direction,
  pinPath: string,
): number {
  return attachTcxPinned(prog, ifindex, direction, pinPath);
}

/** Detaches what attachEndpoint pinned at `pinPath`; false when nothing was there. */
export function detachPinned(pinPath: string): boolean {
  return detachPinnedTcx(pinPath);
}

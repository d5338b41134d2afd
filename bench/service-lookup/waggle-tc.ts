// waggle's real per-packet service LB for the bench, attached as the agent attaches it, in the
// variant's node namespace: bpf_host.o loaded through the agent's loader into a private bpffs
// (its service and conntrack maps sized as waggle-sock's), RUNTIME_CONFIG_LB = per-packet on and
// NodePort off (agent.ts always turns per-packet on; --enable-node-port defaults to false) and
// host routing Legacy (--enable-host-legacy-routing defaults to true). Then, as in the agent:
//   - n1, the server-facing device, is the native device: from_netdev on its tc ingress and its
//     waggle_devices row (devices/manager.ts). Replies from a backend outside the node come in
//     here and are translated back by their CT IN entry (nodeport.h nodeport_lb4 → lb4_xlate_rev)
//     before the kernel forwards them to the client.
//   - n0, the client-facing device, is the client's lxc device: bpf_lxc.o loaded for the client
//     endpoint by the endpoints feature's LxcDatapath (from_container on tcx ingress, which DNATs
//     to a backend in lb4_xlate_fwd; to_container on egress as with --enable-endpoint-routes,
//     since the topology routes the client by its device), and its waggle_lxc/ipcache rows, plus
//     the node's addresses as `host`.
// The client is in no socket-LB cgroup. The maps are written by the services feature's code
// (waggle-rows.ts) through bpf_host's handles of the maps the agent's bpf_sock shares by pin.
import { type Attachment, attachTc, withNetns } from '../../src/bpf/index.js';
import { DEFAULT_CT_ANY_MAX, DEFAULT_CT_TCP_MAX } from '../../src/agent/flags.js';
import {
  DEFAULT_MAX_LIVENESS_NS,
  type HostDatapath,
  lbConfigBits,
  loadHostDatapath,
} from '../../src/datapath/host-datapath.js';
import { RuntimeConfigIndex } from '../../src/datapath/maps/runtime-config.js';
import { LxcDatapath } from '../../src/endpoints/lxc-datapath.js';
import type { EndpointRecord } from '../../src/endpoints/record.js';
import { type TempBpffs, tempBpffs } from '../../src/testing/bpffs.js';
import type { BenchService } from './rules.js';
import type { Topology } from './topology.js';
import { ServiceWriter } from './waggle-rows.js';

/** The client endpoint's numbers: any valid endpoint ID and a non-reserved identity. */
const CLIENT_ENDPOINT_ID = 101;
const CLIENT_IDENTITY = 10001;

export class WaggleTc {
  #fs: TempBpffs;
  #dp: HostDatapath | undefined;
  #writer: ServiceWriter | undefined;
  #fromNetdev: Attachment | undefined;
  #lxc: LxcDatapath | undefined;
  #rec: EndpointRecord | undefined;

  constructor(readonly topo: Topology) {
    this.#fs = tempBpffs();
    try {
      const dp = loadHostDatapath({
        pinDir: this.#fs.dir,
        maxLivenessNs: DEFAULT_MAX_LIVENESS_NS,
        mapSizes: {
          services: 131072,
          backends: 131072,
          reverseNat: 65536,
          ct4Tcp: DEFAULT_CT_TCP_MAX,
          ct4Any: DEFAULT_CT_ANY_MAX,
        },
      });
      this.#dp = dp;
      dp.runtimeConfig.set(RuntimeConfigIndex.Lb, lbConfigBits({ perPacket: true, nodePort: false }));
      dp.runtimeConfig.set(RuntimeConfigIndex.HostRouting, 0n);
      this.#writer = new ServiceWriter('waggle-tc', {
        services: dp.services,
        backends: dp.backends,
        revNat: dp.reverseNat,
      });
      const link = (ns: Topology['node'], dev: string) => ({ ifindex: ns.ifindex(dev), mac: ns.mac(dev) });
      const native = link(topo.node, 'n1');
      const lxc = link(topo.node, 'n0');
      const client = link(topo.client, 'eth0');
      dp.devices.set(native.ifindex, { mac: native.mac, ipv4: '10.20.0.1' });
      this.#lxc = new LxcDatapath(() => dp);
      this.#lxc.hostAddresses(['10.10.0.1', '10.20.0.1']);
      this.#rec = {
        id: CLIENT_ENDPOINT_ID,
        kind: 'pod',
        state: 'ready',
        attachment: 'bench-client:eth0',
        containerId: 'bench-client',
        ifname: 'eth0',
        netns: `/run/netns/${topo.client.name}`,
        labels: [],
        identity: CLIENT_IDENTITY,
        ipv4: '10.10.0.2',
        hostIfname: 'n0',
        hostIfindex: lxc.ifindex,
        hostMac: lxc.mac,
        containerMac: client.mac,
        mtu: 1500,
        createdAt: new Date(0).toISOString(),
      };
      const rec = this.#rec;
      this.#lxc.upsert(rec);
      withNetns(topo.node.name, () => {
        this.#fromNetdev = attachTc(dp.fromNetdev, native.ifindex, 'ingress', 'n1');
        this.#lxc?.attach(rec, { toContainer: true });
      });
    } catch (err) {
      this.destroy();
      throw err;
    }
  }

  program(services: readonly BenchService[]): number {
    return (this.#writer as ServiceWriter).program(services);
  }

  /** Entries in waggle's conntrack (two per load-balanced TCP flow: SERVICE and IN). */
  conntrackCount(): number {
    return this.#dp?.ct4Tcp.count() ?? 0;
  }

  /** Empties waggle's conntrack, as `conntrack -F` empties the kernel's for the other variants. */
  flushConntrack(): void {
    const dp = this.#dp;
    if (!dp) return;
    for (const k of dp.ct4Tcp.keys()) dp.ct4Tcp.delete(k);
    for (const k of dp.ct4Any.keys()) dp.ct4Any.delete(k);
  }

  /** The drop counters by reason (a healthy run has none). */
  drops(): Record<string, string> {
    return Object.fromEntries((this.#dp?.drops.entries() ?? []).map(([r, n]) => [String(r), String(n)]));
  }

  destroy(): void {
    const node = this.topo.node.name;
    try {
      withNetns(node, () => {
        this.#fromNetdev?.detach();
        if (this.#rec) this.#lxc?.detach(this.#rec);
      });
    } catch {}
    try {
      this.#writer?.clear();
    } catch {}
    try {
      this.#dp?.close();
    } catch {}
    this.#fs.cleanup();
  }
}

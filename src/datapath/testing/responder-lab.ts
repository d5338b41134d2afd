// A two-namespace lab for the ARP responder: `node` holds the device with from_netdev attached
// at tc ingress, `peer` is the host that asks (the seed's jumpbox). The host datapath is loaded
// with its maps pinned in a private bpffs. Used by the e2e test, the benchmark and `waggle datapath demo`;
// destroy() removes everything it made, in reverse order, and is safe to call twice.
import { attachTc, monotonicNs, withNetns, type Attachment } from '../../bpf/index.js';
import { RuntimeConfigIndex } from '../maps/runtime-config.js';
import { type TempBpffs, tempBpffs } from '../../testing/bpffs.js';
import { type TestNetns, vethPair } from '../../testing/netns.js';
import { type HostDatapath, loadHostDatapath } from '../host-datapath.js';

export const LAB_NODE_ADDR = '10.0.10.10/24';
export const LAB_PEER_ADDR = '10.0.10.100/24';
export const LAB_VIP = '10.0.10.0';

export interface ResponderLab {
  node: TestNetns;
  peer: TestNetns;
  nodeDev: string;
  peerDev: string;
  nodeIfindex: number;
  nodeMac: string;
  dp: HostDatapath;
  fs: TempBpffs;
  attachment: Attachment;
  /** Writes AgentLiveness = now, as the agent's ticker would. */
  touchLiveness(): void;
  destroy(): void;
}

export function createResponderLab(opts: { maxLivenessNs: bigint; objPath?: string }): ResponderLab {
  const cleanups: Array<() => void> = [];
  const destroy = () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // keep going: every later cleanup still has to run
      }
    }
  };
  try {
    const fs = tempBpffs();
    cleanups.push(() => fs.cleanup());
    const pair = vethPair({ addrA: LAB_NODE_ADDR, addrB: LAB_PEER_ADDR });
    cleanups.push(() => pair.destroy());
    const dp = loadHostDatapath({
      ...(opts.objPath ? { objPath: opts.objPath } : {}),
      pinDir: `${fs.dir}/node`,
      maxLivenessNs: opts.maxLivenessNs,
    });
    cleanups.push(() => dp.close());
    const nodeIfindex = pair.a.ifindex(pair.devA);
    const nodeMac = pair.a.mac(pair.devA);
    dp.devices.set(nodeIfindex, { mac: nodeMac });
    const attachment = withNetns(pair.a.name, () =>
      attachTc(dp.fromNetdev, nodeIfindex, 'ingress', pair.devA),
    );
    cleanups.push(() => withNetns(pair.a.name, () => attachment.detach()));
    return {
      node: pair.a,
      peer: pair.b,
      nodeDev: pair.devA,
      peerDev: pair.devB,
      nodeIfindex,
      nodeMac,
      dp,
      fs,
      attachment,
      touchLiveness: () => dp.runtimeConfig.set(RuntimeConfigIndex.AgentLiveness, monotonicNs()),
      destroy,
    };
  } catch (err) {
    destroy();
    throw err;
  }
}

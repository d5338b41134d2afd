// The node the host-path cases run in: a network namespace holding what the FIB lookups of
// eBPF host routing consult — the native device eth1 (a veth, ifindex NODE.ifindex) on
// 10.98.0.0/24, the route to the other node's PodCIDR through a neighbour with a known MAC, one
// through a nexthop never resolved, one through a device that is not native, and the pod's lxc
// (a veth with the pod's ifindex, forwarding on). BPF_PROG_TEST_RUN looks routes up in the
// namespace of the thread that runs it, so the runner enters this one around every run.
import { TestNetns } from '../../testing/netns.js';
import { POD } from './lxc-case.js';

export const NODE = {
  ifindex: 30,
  dev: 'eth1',
  mac: '02:00:00:00:0e:21',
  ip: '10.98.0.21',
  /** The other node: known neighbour, PodCIDR 10.200.2.0/24. */
  peerIp: '10.98.0.22',
  peerMac: '02:00:00:00:0e:22',
  /** A third node whose MAC is not resolved yet: PodCIDR 10.200.3.0/24. */
  unresolvedIp: '10.98.0.23',
  /** Routed through `other0`, a device the agent did not select. */
  foreignPrefix: '10.77.0.0/24',
  jumpbox: '10.98.0.10',
} as const;

export function hostPathNetns(): TestNetns {
  const ns = TestNetns.create('hp');
  try {
    const cmds: string[][] = [
      [
        'link',
        'add',
        NODE.dev,
        'index',
        String(NODE.ifindex),
        'address',
        NODE.mac,
        'type',
        'veth',
        'peer',
        'name',
        'eth1p',
      ],
      ['link', 'set', NODE.dev, 'up'],
      ['link', 'set', 'eth1p', 'up'],
      ['addr', 'add', `${NODE.ip}/24`, 'dev', NODE.dev],
      ['neigh', 'replace', NODE.peerIp, 'lladdr', NODE.peerMac, 'nud', 'permanent', 'dev', NODE.dev],
      ['route', 'add', '10.200.2.0/24', 'via', NODE.peerIp, 'dev', NODE.dev],
      ['route', 'add', '10.200.3.0/24', 'via', NODE.unresolvedIp, 'dev', NODE.dev],
      // veth pairs, not dummies: this kernel may lack the dummy module.
      ['link', 'add', 'lxcpod', 'index', String(POD.ifindex), 'type', 'veth', 'peer', 'name', 'lxcpodp'],
      ['link', 'set', 'lxcpod', 'up'],
      ['link', 'set', 'lxcpodp', 'up'],
      ['link', 'add', 'other0', 'type', 'veth', 'peer', 'name', 'other0p'],
      ['link', 'set', 'other0', 'up'],
      ['link', 'set', 'other0p', 'up'],
      ['route', 'add', NODE.foreignPrefix, 'dev', 'other0'],
    ];
    for (const c of cmds) ns.ip(...c);
    ns.exec('sysctl', ['-q', '-w', 'net.ipv4.conf.all.forwarding=1']);
    return ns;
  } catch (err) {
    ns.destroy();
    throw err;
  }
}

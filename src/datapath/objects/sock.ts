// bpf_sock.o: socket LB (cgroup connect4/sendmsg4/recvmsg4/getpeername4) and the service maps
// it reads. Loaded once per agent; the programs are attached to the node's cgroup v2 directory.
import type { ObjectSpec } from '../../bpf/loader.js';
import { ipcacheCodec } from '../maps/ipcache.js';
import { lb4BackendsCodec, lb4ReverseNatCodec } from '../maps/lb4-backends.js';
import { lb4ServicesCodec } from '../maps/lb4-services.js';
import { lb4SourceRangeCodec } from '../maps/lb4-source-range.js';
import { lb4AffinityCodec } from '../maps/lb4-affinity.js';
import { lb4ReverseSkCodec } from '../maps/sock-revnat.js';

export const sockObject = {
  name: 'bpf_sock',
  path: 'build/bpf/bpf_sock.o',
  maps: {
    services: lb4ServicesCodec,
    backends: lb4BackendsCodec,
    reverseNat: lb4ReverseNatCodec,
    sourceRange: lb4SourceRangeCodec,
    affinity: lb4AffinityCodec,
    reverseSk: lb4ReverseSkCodec,
    /** Node addresses (host, remote-node identities): where a NodePort's surrogate row applies. */
    ipcache: ipcacheCodec,
  },
  programs: {
    connect4: 'sock4_connect',
    sendmsg4: 'sock4_sendmsg',
    recvmsg4: 'sock4_recvmsg',
    getpeername4: 'sock4_getpeername',
  },
  constants: {},
} as const satisfies ObjectSpec;

// Which PodCIDR this node's agent allocates pod IPs from, by IPAM mode as in Cilium:
//   --ipam kubernetes    → Node.spec.podCIDRs (or the older spec.podCIDR), set by the
//                          kube-controller-manager's node IPAM (--allocate-node-cidrs);
//   --ipam cluster-pool  → CiliumNode.spec.ipam.podCIDRs, set by the operator (cluster-pool.ts).
// The first IPv4 entry wins (the pool is IPv4 only). podCidrOf is pure; waitForPodCidr follows
// the informer (or a watch on the store) until the CIDR appears or the time is up.
import type { CiliumNode, Node } from '../api/index.js';
import { namespacedName } from '../api/index.js';
import { parsePrefix } from '../lib/ip.js';
import type { Informers } from '../store/informer.js';
import type { Store } from '../store/index.js';

export type IpamMode = 'kubernetes' | 'cluster-pool';
export const ipamModes: readonly IpamMode[] = ['kubernetes', 'cluster-pool'];

export type PodCidrResult = { ok: true; cidr: string } | { ok: false; error: string };

/** Where the CIDR is read, for messages: `Node k8s-w1 spec.podCIDRs`. */
export function podCidrField(mode: IpamMode, node: string): string {
  return mode === 'kubernetes' ? `Node ${node} spec.podCIDRs` : `CiliumNode ${node} spec.ipam.podCIDRs`;
}

function firstIpv4(cidrs: readonly string[], field: string): PodCidrResult {
  for (const c of cidrs) {
    const p = parsePrefix(c);
    if (p.ok && p.prefix.family === 4) return { ok: true, cidr: c };
  }
  return {
    ok: false,
    error: cidrs.length === 0 ? `${field} is empty` : `${field} has no IPv4 CIDR (${cidrs.join(', ')})`,
  };
}

/** This node's PodCIDR from the object the mode reads (undefined = not there yet). */
export function podCidrOf(
  mode: IpamMode,
  nodeName: string,
  objects: { node?: Node | undefined; ciliumNode?: CiliumNode | undefined },
): PodCidrResult {
  const field = podCidrField(mode, nodeName);
  if (mode === 'kubernetes') {
    const n = objects.node;
    if (!n) return { ok: false, error: `Node ${nodeName} does not exist` };
    const list = n.spec.podCIDRs ?? (n.spec.podCIDR ? [n.spec.podCIDR] : []);
    return firstIpv4(list, field);
  }
  const cn = objects.ciliumNode;
  if (!cn) return { ok: false, error: `CiliumNode ${nodeName} does not exist` };
  return firstIpv4(cn.spec.ipam?.podCIDRs ?? [], field);
}

export type PodCidrSource = { informers: Informers } | { store: Store };

/**
 * Resolves with the CIDR once podCidrOf finds one; rejects after `timeoutMs` with the last reason
 * and a hint at who should have set it.
 */
export async function waitForPodCidr(
  source: PodCidrSource,
  nodeName: string,
  mode: IpamMode,
  timeoutMs: number,
  /** Ends the wait at once (rejecting), e.g. when the agent stops; its timer goes with it. */
  signal?: AbortSignal,
): Promise<string> {
  if (signal?.aborted) throw new Error(`node ${nodeName}: waiting for a PodCIDR: aborted`);
  const kind = mode === 'kubernetes' ? 'Node' : 'CiliumNode';
  const check = (o: Node | CiliumNode | undefined) =>
    podCidrOf(mode, nodeName, mode === 'kubernetes' ? { node: o as Node } : { ciliumNode: o as CiliumNode });
  let last: PodCidrResult = { ok: false, error: `${kind} ${nodeName} not read yet` };
  const hint =
    mode === 'kubernetes'
      ? 'is kube-controller-manager running with --allocate-node-cidrs?'
      : 'is waggle operator running with --cluster-pool-ipv4-cidr?';
  const timeout = () =>
    new Error(`node ${nodeName}: no PodCIDR after ${timeoutMs} ms: ${last.ok ? '' : last.error} (${hint})`);

  if ('informers' in source) {
    const inf = source.informers.for(kind);
    return new Promise<string>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        off();
        fn();
      };
      const look = () => {
        last = check(inf.get(namespacedName('', nodeName)));
        if (last.ok) {
          const cidr = last.cidr;
          done(() => resolve(cidr));
        }
      };
      const timer = setTimeout(() => done(() => reject(timeout())), timeoutMs);
      const onAbort = () => done(() => reject(new Error(`node ${nodeName}: waiting for a PodCIDR: aborted`)));
      signal?.addEventListener('abort', onAbort, { once: true });
      const off = () => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
      };
      const unsubscribe = inf.subscribe(() => look());
      if (inf.synced) look();
      else inf.start().then(look, (err: unknown) => done(() => reject(err)));
    });
  }

  const { store } = source;
  const watch = store.watch({ kind });
  const timer = setTimeout(() => watch.close(), timeoutMs);
  const onAbort = () => watch.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    last = check(await store.tryGet(kind, nodeName));
    if (last.ok) return last.cidr;
    for await (const ev of watch) {
      const objects = ev.type === 'RESYNC' ? ev.objects : ev.type === 'DELETED' ? [] : [ev.object];
      const mine = objects.find((o) => o.metadata.name === nodeName) as Node | CiliumNode | undefined;
      if (ev.type !== 'RESYNC' && !mine) continue;
      last = check(mine);
      if (last.ok) return last.cidr;
    }
    throw timeout();
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    watch.close();
  }
}

// One pass of node routes: desired state from the CiliumNodes and the kernel's path to each
// node (node-routes.ts), then the difference to the kernel's routes of our protocol applied.
// A foreign route for a prefix we want is a conflict: reported and left alone. One failing
// route is an error in the result, never the end of the pass.
import type { CiliumNode } from '../api/index.js';
import { errorMessage } from '../lib/errors.js';
import {
  desiredNodeRoutes,
  diffNodeRoutes,
  type KernelRoute,
  type NodeRoute,
  nodeHops,
  type PathToNode,
  type SkippedNode,
} from './node-routes.js';

/** The slice of NodeRouteKernel a pass uses. */
export interface RouteKernel {
  routeTo(ip: string): Promise<PathToNode | null>;
  ourRoutes(): Promise<KernelRoute[]>;
  foreignRoutes(cidr: string): Promise<string[]>;
  add(route: NodeRoute): Promise<boolean>;
  replace(route: NodeRoute): Promise<void>;
  remove(route: KernelRoute): Promise<void>;
}

export interface ReconcileResult {
  /** Our routes in the kernel after the pass, as desired. */
  routes: NodeRoute[];
  skipped: SkippedNode[];
  /** "10.244.1.0/24 (node b): foreign route 10.244.1.0/24 via … proto static" */
  conflicts: string[];
  errors: string[];
}

export async function reconcileNodeRoutes(o: {
  self: string;
  nodes: readonly CiliumNode[];
  kernel: RouteKernel;
}): Promise<ReconcileResult> {
  const { hops, skipped } = nodeHops(o.self, o.nodes);
  const paths = new Map<string, PathToNode | null>();
  for (const h of hops) if (!paths.has(h.via)) paths.set(h.via, await o.kernel.routeTo(h.via));
  const want = desiredNodeRoutes(hops, paths);
  skipped.push(...want.skipped);
  const nodeOf = new Map(hops.flatMap((h) => h.cidrs.map((c) => [c, h.node] as const)));

  const diff = diffNodeRoutes(want.routes, await o.kernel.ourRoutes());
  const failed = new Set<string>();
  const conflicts: string[] = [];
  const errors: string[] = [];
  const conflict = (r: NodeRoute, foreign: string[]) => {
    failed.add(r.cidr);
    conflicts.push(
      `${r.cidr} (node ${nodeOf.get(r.cidr) ?? '?'}): foreign route ${foreign.join('; ') || 'for the same key'}`,
    );
  };
  const attempt = async (r: KernelRoute, what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failed.add(r.cidr);
      errors.push(`${what} ${r.cidr}: ${errorMessage(err)}`);
    }
  };

  // Removals first: a node whose PodCIDR moved to another frees the prefix before it is added.
  for (const r of diff.remove) await attempt(r, 'remove', () => o.kernel.remove(r));
  for (const r of [...diff.add, ...diff.replace]) {
    await attempt(r, 'route', async () => {
      // Checked before replace too: `ip route replace` would overwrite a route of any protocol
      // with the same key, and ours may have been replaced by somebody else since the listing.
      const foreign = await o.kernel.foreignRoutes(r.cidr);
      if (foreign.length > 0) return conflict(r, foreign);
      if (diff.replace.includes(r)) return o.kernel.replace(r);
      if (!(await o.kernel.add(r))) conflict(r, await o.kernel.foreignRoutes(r.cidr));
    });
  }
  return { routes: want.routes.filter((r) => !failed.has(r.cidr)), skipped, conflicts, errors };
}

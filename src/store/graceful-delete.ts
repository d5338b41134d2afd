// Deleting a Pod the way the API server does (pkg/registry/core/pod/strategy.go
// CheckGracefulDelete): a pod bound to a node is only marked — metadata.deletionTimestamp and
// deletionGracePeriodSeconds (by default its spec.terminationGracePeriodSeconds) — and its
// kubelet stops the containers and then removes the object. A pod no kubelet runs (no
// spec.nodeName), a finished one (Succeeded, Failed) or a grace period of 0 is removed at once.
// Controllers (ReplicaSet, garbage collector) and the CLI's `delete pod` share this helper.
import type { Pod } from '../api/index.js';
import { rfc3339Seconds } from '../api/index.js';
import { ConflictError, NotFoundError } from './errors.js';
import type { Store } from './types.js';

export interface GracefulDeleteOptions {
  /** Overrides spec.terminationGracePeriodSeconds (`delete --grace-period`). */
  gracePeriodSeconds?: number;
  now?: () => Date;
}

export type GracefulDeleteResult =
  /** Removed from the store now. */
  | { outcome: 'deleted'; pod: Pod }
  /** Marked; the kubelet finishes the deletion. */
  | { outcome: 'terminating'; pod: Pod }
  /** Already marked by someone else; nothing written. */
  | { outcome: 'already-terminating'; pod: Pod }
  | { outcome: 'not-found' };

/** Whether the API server would skip the grace period for this pod. */
export function deletesAtOnce(pod: Pod, gracePeriodSeconds: number): boolean {
  const phase = pod.status?.phase;
  return !pod.spec.nodeName || phase === 'Succeeded' || phase === 'Failed' || gracePeriodSeconds === 0;
}

const MAX_CONFLICTS = 5;

/**
 * Deletes pod `namespace/name` gracefully. `expectUid`, when given, makes it a no-op if the pod
 * of that name is a different one (a replacement created meanwhile). Conflicts re-read and retry.
 */
export async function deletePodGracefully(
  store: Store,
  namespace: string,
  name: string,
  opts: GracefulDeleteOptions & { expectUid?: string } = {},
): Promise<GracefulDeleteResult> {
  const now = opts.now ?? (() => new Date());
  for (let attempt = 1; ; attempt++) {
    const pod = await store.tryGet('Pod', name, namespace);
    if (!pod || (opts.expectUid && pod.metadata.uid !== opts.expectUid)) return { outcome: 'not-found' };
    if (pod.metadata.deletionTimestamp) return { outcome: 'already-terminating', pod };
    const grace = opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const rv = pod.metadata.resourceVersion;
    try {
      if (deletesAtOnce(pod, grace)) {
        const gone = await store.delete('Pod', name, namespace, rv ? { resourceVersion: rv } : {});
        return { outcome: 'deleted', pod: gone };
      }
      const marked = await store.update({
        ...pod,
        metadata: {
          ...pod.metadata,
          deletionTimestamp: rfc3339Seconds(now()),
          deletionGracePeriodSeconds: grace,
        },
      });
      return { outcome: 'terminating', pod: marked };
    } catch (err) {
      if (err instanceof NotFoundError) return { outcome: 'not-found' };
      if (!(err instanceof ConflictError) || attempt >= MAX_CONFLICTS) throw err;
    }
  }
}

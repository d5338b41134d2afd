// Graceful Pod deletion as the API server does it (pkg/registry/core/pod/strategy.go
// CheckGracefulDelete, and the generic registry's BeforeDelete): instead of removing the Pod, set
// metadata.deletionTimestamp and deletionGracePeriodSeconds; the kubelet of the pod's node stops
// the containers (SIGTERM, the grace period, SIGKILL), tears the sandbox down and only then
// removes the object. A pod that never reached a node, or has already finished, has nothing to
// stop and is removed at once.
import type { Pod } from '../api/index.js';
import { rfc3339Seconds } from '../api/index.js';
import { ConflictError, NotFoundError } from './errors.js';
import type { Store } from './types.js';

export type PodDeletion =
  /** Removed from the store (unscheduled, finished, or forced with grace 0). */
  | { action: 'deleted'; pod: Pod }
  /** Marked for deletion; the node's kubelet removes it when its containers are gone. */
  | { action: 'terminating'; pod: Pod }
  /** It was gone already when we looked. */
  | { action: 'gone' };

const conflictRetries = 5;

/** The grace period the API server settles on for this pod and request. */
export function podGracePeriod(pod: Pod, requested?: number): number {
  if (!pod.spec.nodeName) return 0;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  return requested ?? pod.spec.terminationGracePeriodSeconds;
}

/**
 * Requests deletion of `pod` (re-read by name, so a stale copy is fine). `graceSeconds` overrides
 * spec.terminationGracePeriodSeconds; `force` with grace 0 removes it at once, like
 * `kubectl delete --force --grace-period 0`.
 *
 * The grace period 0 from the spec (seed 004's testpods) still only marks the pod: the lab's
 * kubelet must run CNI DEL and remove the netns before the object goes, else the pod's IP
 * would outlive it. deletionTimestamp is when the grace period ends, as the API server sets it.
 * Controllers (ReplicaSet, garbage collector) and the CLI's `delete pod` share this helper.
 */
export async function requestPodDeletion(
  store: Store,
  pod: { metadata: { name: string; namespace?: string | undefined } },
  graceSeconds?: number,
  opts: { force?: boolean; now?: () => Date; uid?: string } = {},
): Promise<PodDeletion> {
  const { name, namespace } = pod.metadata;
  const now = opts.now ?? (() => new Date());
  for (let attempt = 0; ; attempt++) {
    const stored = await store.tryGet('Pod', name, namespace);
    // With `uid`, a replacement created under the same name meanwhile is left alone.
    if (!stored || (opts.uid && stored.metadata.uid !== opts.uid)) return { action: 'gone' };
    const grace = podGracePeriod(stored, graceSeconds);
    const rv = stored.metadata.resourceVersion;
    try {
      const finished = stored.status?.phase === 'Succeeded' || stored.status?.phase === 'Failed';
      if (!stored.spec.nodeName || finished || (opts.force && grace === 0))
        return { action: 'deleted', pod: await store.delete('Pod', name, namespace, rvOpt(rv)) };
      // Already terminating: a second request does not move the deadline (the store keeps the
      // first deletionTimestamp), as with the API server unless the period is shortened.
      if (stored.metadata.deletionTimestamp) return { action: 'terminating', pod: stored };
      const deadline = new Date(now().getTime() + grace * 1000);
      const marked: Pod = {
        ...stored,
        metadata: {
          ...stored.metadata,
          deletionTimestamp: rfc3339Seconds(deadline),
          deletionGracePeriodSeconds: grace,
        },
      };
      return { action: 'terminating', pod: await store.update(marked) };
    } catch (err) {
      if (err instanceof NotFoundError) return { action: 'gone' };
      if (!(err instanceof ConflictError) || attempt >= conflictRetries) throw err;
    }
  }
}

function rvOpt(rv: string | undefined): { resourceVersion?: string } {
  return rv === undefined ? {} : { resourceVersion: rv };
}

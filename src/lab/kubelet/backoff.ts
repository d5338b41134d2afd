// Restart back-off, as the kubelet does it (pkg/kubelet/kuberuntime: backOff with 10 s initial
// and 300 s maximum): the first restart is immediate, each later one waits twice as long as the
// one before, and a container that ran for longer than `resetAfterMs` starts over.
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const KUBELET_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/**
 * How long to wait before the next start of a container that has crashed `streak` times in a
 * row (1 = the first crash) and last ran for `ranMs`.
 */
export function restartDelayMs(streak: number, ranMs: number, p: BackoffPolicy): number {
  if (streak <= 1 || ranMs >= p.resetAfterMs) return 0;
  return Math.min(p.initialMs * 2 ** (streak - 2), p.maxMs);
}

/** Whether a container that exited with `exitCode` is started again (v1 RestartPolicy). */
export function shouldRestart(policy: 'Always' | 'OnFailure' | 'Never', exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/** kubelet's waiting message for a container in back-off. */
export function backoffMessage(delayMs: number, container: string, pod: string, ns: string, uid: string) {
  return `back-off ${Math.round(delayMs / 1000)}s restarting failed container=${container} pod=${pod}_${ns}(${uid})`;
}

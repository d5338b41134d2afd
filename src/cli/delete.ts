// `waggle delete -f FILE|DIR|-` or `waggle delete KIND NAME [-n NS]`. Every object is tried;
// missing ones are reported like kubectl does and make the command fail at the end. Pods are
// deleted gracefully (store/graceful-delete.ts) and, like kubectl's default --wait=true, the
// command returns once they are gone. Deleting a Deployment deletes only the Deployment: its
// ReplicaSets and their Pods go through the garbage collector, as in Kubernetes.
import type { Command } from 'commander';
import { type Kind, kinds, loadManifests, resourceName } from '../api/index.js';
import { NotFoundError, requestPodDeletion, type Store } from '../store/index.js';
import { parseBool, parseCount, parseDuration, waitUntil } from './duration-arg.js';
import { kindArg } from './kind-arg.js';
import { withCliStore } from './store-url.js';

interface Target {
  kind: Kind;
  name: string;
  namespace: string | undefined;
}

interface DeleteFlags {
  filename?: string[];
  namespace: string;
  gracePeriod?: string;
  now?: boolean;
  force?: boolean;
  wait: string | boolean;
  timeout?: string;
}

interface Plan {
  grace: number | undefined;
  force: boolean;
  wait: boolean;
  timeoutMs: number | undefined;
}

/** kubectl's flag rules (kubectl/pkg/cmd/delete/delete.go): --now is grace 1; grace 0 needs --force. */
function plan(opts: DeleteFlags): Plan {
  let grace = opts.gracePeriod === undefined ? undefined : parseCount('--grace-period', opts.gracePeriod);
  if (opts.now) {
    if (grace !== undefined) throw new Error('delete: --now and --grace-period cannot be specified together');
    grace = 1;
  }
  const force = opts.force === true;
  if (force && grace === undefined) grace = 0;
  // Without --force a 0 becomes 1, so nothing is removed before its kubelet has stopped it.
  if (!force && grace === 0) grace = 1;
  const timeoutMs = opts.timeout === undefined ? undefined : parseDuration('--timeout', opts.timeout);
  return { grace, force, wait: parseBool('--wait', opts.wait), timeoutMs };
}

const forceWarning =
  'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n';

async function deleteAll(store: Store, targets: Target[], p: Plan): Promise<void> {
  let missing = 0;
  const pending: { t: Target; uid: string | undefined; graceS: number }[] = [];
  const forced = p.force && p.grace === 0;
  if (forced) process.stderr.write(forceWarning);
  for (const t of targets) {
    const line = `${resourceName(t.kind)} "${t.name}" ${forced ? 'force deleted' : 'deleted'}\n`;
    try {
      if (t.kind === 'Pod') {
        const pod = await store.get('Pod', t.name, t.namespace);
        const res = await requestPodDeletion(store, pod, p.grace, { force: p.force });
        if (res.action === 'gone') throw new NotFoundError('pods', t.name);
        if (res.action === 'terminating')
          pending.push({
            t,
            uid: pod.metadata.uid,
            graceS: res.pod.metadata.deletionGracePeriodSeconds ?? 0,
          });
      } else {
        await store.delete(t.kind, t.name, t.namespace);
      }
      process.stdout.write(line);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      missing++;
      process.stderr.write(`Error from server (NotFound): ${err.message}\n`);
    }
  }
  if (p.wait) await waitGone(store, pending, p.timeoutMs);
  if (missing > 0) throw new Error(`delete: ${missing} of ${targets.length} not found`);
}

/** Waits for terminating pods to be removed (or replaced by a new pod of the same name). */
async function waitGone(
  store: Store,
  pending: { t: Target; uid: string | undefined; graceS: number }[],
  timeoutMs: number | undefined,
): Promise<void> {
  for (const { t, uid, graceS } of pending) {
    // kubectl's --timeout=0 picks a bound itself; ours is the grace period plus a minute.
    const bound = timeoutMs || (graceS + 60) * 1000;
    const gone = await waitUntil(async () => {
      const now = await store.tryGet('Pod', t.name, t.namespace);
      return now === undefined || now.metadata.uid !== uid;
    }, bound);
    if (!gone)
      throw new Error(
        `delete: timed out after ${bound / 1000}s waiting for pods/${t.name} to be removed (its kubelet stops it; --wait=false returns at once)`,
      );
  }
}

export function registerDelete(program: Command): void {
  program
    .command('delete')
    .description('delete objects named in manifests, or one object by kind and name (pods gracefully)')
    .argument('[kind]', 'kind, plural or short name')
    .argument('[name]', 'object name')
    .option('-f, --filename <path...>', 'a file, a directory, or - for stdin')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds', 'default')
    .option(
      '--grace-period <seconds>',
      "pods: seconds to stop (default: the pod's terminationGracePeriodSeconds)",
    )
    .option('--now', 'pods: a grace period of 1 second')
    .option('--force', 'pods: with --grace-period 0, remove at once without waiting for the kubelet')
    .option('--wait [bool]', 'wait until the objects are gone', true)
    .option('--timeout <duration>', 'how long --wait waits (default: the grace period plus 60s)')
    .action(
      async (typedKind: string | undefined, name: string | undefined, opts: DeleteFlags, cmd: Command) => {
        const p = plan(opts);
        let targets: Target[];
        if (opts.filename) {
          if (typedKind) throw new Error('delete: give either -f or KIND NAME, not both');
          targets = loadManifests(opts.filename).map(({ object: o }) => ({
            kind: o.kind,
            name: o.metadata.name,
            namespace: o.metadata.namespace,
          }));
        } else {
          if (!typedKind || !name) throw new Error('delete: give -f FILE or KIND NAME');
          const kind = kindArg('delete', typedKind);
          targets = [{ kind, name, namespace: kinds[kind].namespaced ? opts.namespace : undefined }];
        }
        await withCliStore(cmd, (store) => deleteAll(store, targets, p));
      },
    );
}

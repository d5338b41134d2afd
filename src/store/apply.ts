// kubectl apply's outcome for validated objects: create what is missing, update what differs
// (spec, labels or annotations), leave the rest alone. The CLI, the tests and the benchmark all
// go through this one function. Status is never applied: it belongs to the controllers.
import { type AnyObject, kinds, resourceName, specOf } from '../api/index.js';
import { ConflictError, NotFoundError } from './errors.js';
import { canonicalJson } from './prepare.js';
import type { Store } from './types.js';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  object: AnyObject;
  action: ApplyAction;
}

/** `service/nginx created`, `ciliuml2announcementpolicy.cilium.io/policy1 unchanged`. */
export function applyLine(r: ApplyResult): string {
  return `${resourceName(r.object.kind)}/${r.object.metadata.name} ${r.action}`;
}

const conflictRetries = 5;

function sameDesiredState(stored: AnyObject, wanted: AnyObject): boolean {
  const view = (o: AnyObject) => ({
    spec: specOf(o),
    labels: o.metadata.labels ?? {},
    annotations: o.metadata.annotations ?? {},
  });
  return canonicalJson(view(stored)) === canonicalJson(view(wanted));
}

export async function applyObject(store: Store, wanted: AnyObject): Promise<ApplyResult> {
  const { kind } = wanted;
  const { name, namespace } = wanted.metadata;
  for (let attempt = 0; ; attempt++) {
    const stored = await store.tryGet(kind, name, kinds[kind].namespaced ? namespace : undefined);
    try {
      if (!stored) {
        const { resourceVersion: _rv, uid: _uid, ...metadata } = wanted.metadata;
        return { object: await store.create({ ...wanted, metadata } as AnyObject), action: 'created' };
      }
      if (sameDesiredState(stored, wanted)) return { object: stored, action: 'unchanged' };
      const metadata = { ...wanted.metadata, resourceVersion: stored.metadata.resourceVersion };
      return { object: await store.update({ ...wanted, metadata } as AnyObject), action: 'configured' };
    } catch (err) {
      // Someone else wrote in between: read again and decide again, a bounded number of times.
      const raced =
        err instanceof ConflictError ||
        err instanceof NotFoundError ||
        (err as Error).name === 'AlreadyExistsError';
      if (!raced || attempt >= conflictRetries) throw err;
    }
  }
}

/**
 * Applies objects in order with up to `concurrency` writes in flight; results keep the input
 * order. Objects must already be validated (parseManifests), so a bad document never gets here.
 */
export async function applyManifests(
  store: Store,
  objects: readonly AnyObject[],
  opts: { concurrency?: number; onResult?: (r: ApplyResult, index: number) => void } = {},
): Promise<ApplyResult[]> {
  const results = new Array<ApplyResult>(objects.length);
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const i = next++;
      results[i] = await applyObject(store, objects[i] as AnyObject);
      opts.onResult?.(results[i], i);
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency ?? 1, objects.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

// `waggle patch KIND NAME -p JSON [--type merge|json]`: the patch is applied to the stored object,
// the result validated by the kind's schema (an invalid result writes nothing and prints the field
// error, as the API server refuses it), then written with a compare-and-swap. Prints kubectl's
// `service/nginx patched` or `service/nginx patched (no change)`. Like an API write without
// --subresource, a patch to a kind's status is ignored.
import type { Command } from 'commander';
import { type AnyObject, joinFieldError, kinds, resourceName, specOf, validateObject } from '../api/index.js';
import { applyJsonPatch } from '../lib/json-patch.js';
import { mergePatch } from '../lib/merge-patch.js';
import { ConflictError, type Store } from '../store/index.js';
import { canonicalJson } from '../store/prepare.js';
import { kindArg } from './kind-arg.js';
import { withCliStore } from './store-url.js';

const retries = 5;
const types = ['merge', 'json'] as const;
type PatchType = (typeof types)[number];

function desired(o: AnyObject): string {
  const { resourceVersion: _rv, generation: _g, ...metadata } = o.metadata;
  return canonicalJson({ metadata, spec: specOf(o) });
}

/** Patches one object; returns whether anything changed. Throws with kubectl-like messages. */
export async function patchObject(
  store: Store,
  target: { kind: AnyObject['kind']; name: string; namespace: string | undefined },
  type: PatchType,
  patch: unknown,
): Promise<boolean> {
  const { kind, name, namespace } = target;
  for (let attempt = 0; ; attempt++) {
    const stored = (await store.get(kind, name, namespace)) as AnyObject;
    let raw: unknown;
    try {
      raw = type === 'merge' ? mergePatch(stored, patch) : applyJsonPatch(stored, patch);
    } catch (err) {
      throw new Error(`patch: ${resourceName(kind)}/${name}: ${(err as Error).message}`);
    }
    const result = validateObject(raw);
    const invalid = `The ${kind} ${JSON.stringify(name)} is invalid`;
    if (!result.ok) throw new Error(`${invalid}: ${result.errors.map(joinFieldError).join('; ')}`);
    const next = result.object;
    for (const field of ['name', 'namespace', 'uid'] as const)
      if (next.metadata[field] !== stored.metadata[field])
        throw new Error(`${invalid}: metadata.${field}: may not be changed by a patch`);
    if (desired(next) === desired(stored)) return false;
    try {
      // The stored resourceVersion rides along, so a write in between is a conflict, not lost.
      await store.update({
        ...next,
        metadata: { ...next.metadata, resourceVersion: stored.metadata.resourceVersion },
      });
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= retries) throw err;
    }
  }
}

export function registerPatch(program: Command): void {
  program
    .command('patch')
    .description('change fields of one object with a JSON merge patch (RFC 7386) or a JSON patch (RFC 6902)')
    .argument('<kind>', 'kind, plural or short name')
    .argument('<name>', 'object name')
    .requiredOption('-p, --patch <json>', `the patch, e.g. '{"spec":{"type":"NodePort"}}'`)
    .option('--type <type>', 'merge (RFC 7386) or json (RFC 6902)', 'merge')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds', 'default')
    .action(
      async (
        typedKind: string,
        name: string,
        opts: { patch: string; type: string; namespace: string },
        cmd: Command,
      ) => {
        const kind = kindArg('patch', typedKind);
        if (!(types as readonly string[]).includes(opts.type))
          throw new Error(
            `patch: --type "${opts.type}" is not one of merge, json (kubectl's strategic merge is not implemented; merge replaces lists whole)`,
          );
        let patch: unknown;
        try {
          patch = JSON.parse(opts.patch);
        } catch (err) {
          throw new Error(`patch: -p is not valid JSON: ${(err as Error).message}`);
        }
        const namespace = kinds[kind].namespaced ? opts.namespace : undefined;
        const changed = await withCliStore(cmd, (store) =>
          patchObject(store, { kind, name, namespace }, opts.type as PatchType, patch),
        );
        process.stdout.write(`${resourceName(kind)}/${name} patched${changed ? '' : ' (no change)'}\n`);
      },
    );
}

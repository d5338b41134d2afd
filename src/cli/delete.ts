// `waggle delete -f FILE|DIR|-` or `waggle delete KIND NAME [-n NS]`. Every object is tried;
// missing ones are reported like kubectl does and make the command fail at the end.
import type { Command } from 'commander';
import { type Kind, kinds, loadManifests, resourceName } from '../api/index.js';
import { NotFoundError, type Store } from '../store/index.js';
import { kindArg } from './kind-arg.js';
import { withCliStore } from './store-url.js';

interface Target {
  kind: Kind;
  name: string;
  namespace: string | undefined;
}

async function deleteAll(store: Store, targets: Target[]): Promise<void> {
  let missing = 0;
  for (const t of targets) {
    try {
      await store.delete(t.kind, t.name, t.namespace);
      process.stdout.write(`${resourceName(t.kind)} "${t.name}" deleted\n`);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      missing++;
      process.stderr.write(`Error from server (NotFound): ${err.message}\n`);
    }
  }
  if (missing > 0) throw new Error(`delete: ${missing} of ${targets.length} not found`);
}

export function registerDelete(program: Command): void {
  program
    .command('delete')
    .description('delete objects named in manifests, or one object by kind and name')
    .argument('[kind]', 'kind, plural or short name')
    .argument('[name]', 'object name')
    .option('-f, --filename <path...>', 'a file, a directory, or - for stdin')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds', 'default')
    .action(
      async (
        typedKind: string | undefined,
        name: string | undefined,
        opts: { filename?: string[]; namespace: string },
        cmd: Command,
      ) => {
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
        await withCliStore(cmd, (store) => deleteAll(store, targets));
      },
    );
}

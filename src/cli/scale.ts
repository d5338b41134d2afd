// `waggle scale deploy/NAME --replicas N` (or `scale deployment NAME`, replicasets too): sets
// spec.replicas as kubectl's scale subresource write does and prints `deployment.apps/nginx scaled`.
// The read-modify-write is a compare-and-swap, retried when a controller wrote in between.
import type { Command } from 'commander';
import { type Deployment, type ReplicaSet, resourceName } from '../api/index.js';
import { ConflictError } from '../store/index.js';
import { parseCount } from './duration-arg.js';
import { withCliStore } from './store-url.js';
import { workloadArg } from './workload-arg.js';

const retries = 5;

export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('set the number of replicas of a Deployment or ReplicaSet')
    .argument('<object>', 'KIND/NAME (deploy/nginx) or KIND')
    .argument('[name]', 'the name, when KIND is given alone')
    .requiredOption('--replicas <count>', 'the new number of replicas')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(
      async (
        first: string,
        second: string | undefined,
        opts: { replicas: string; namespace: string },
        cmd: Command,
      ) => {
        const { kind, name } = workloadArg('scale', first, second, ['Deployment', 'ReplicaSet'] as const);
        const replicas = parseCount('scale: --replicas', opts.replicas);
        await withCliStore(cmd, async (store) => {
          for (let attempt = 0; ; attempt++) {
            const obj: Deployment | ReplicaSet = await store.get(kind, name, opts.namespace);
            try {
              await store.update({ ...obj, spec: { ...obj.spec, replicas } } as Deployment | ReplicaSet);
              break;
            } catch (err) {
              if (!(err instanceof ConflictError) || attempt >= retries) throw err;
            }
          }
          process.stdout.write(`${resourceName(kind)}/${name} scaled\n`);
        });
      },
    );
}

// `waggle create -f FILE|DIR|-`: like kubectl create, every object must be new. Everything is
// validated first (a bad document writes nothing); then each object is created, one that exists
// already is reported as the API server says it (`Error from server (AlreadyExists): pods
// "netpod" already exists`), the others are still created, and the command fails at the end.
import type { Command } from 'commander';
import { loadManifests, resourceName } from '../api/index.js';
import { AlreadyExistsError } from '../store/index.js';
import { withCliStore } from './store-url.js';

export function registerCreate(program: Command): void {
  program
    .command('create')
    .description('create objects from YAML manifests; objects that exist already are an error')
    .requiredOption('-f, --filename <path...>', 'a file, a directory, or - for stdin')
    .action(async (opts: { filename: string[] }, cmd: Command) => {
      const docs = loadManifests(opts.filename);
      const existing = await withCliStore(cmd, async (store) => {
        let n = 0;
        for (const { object } of docs) {
          try {
            const { resourceVersion: _rv, uid: _uid, ...metadata } = object.metadata;
            await store.create({ ...object, metadata });
            process.stdout.write(`${resourceName(object.kind)}/${object.metadata.name} created\n`);
          } catch (err) {
            if (!(err instanceof AlreadyExistsError)) throw err;
            n++;
            process.stderr.write(`Error from server (AlreadyExists): ${err.message}\n`);
          }
        }
        return n;
      });
      if (existing > 0) throw new Error(`create: ${existing} of ${docs.length} already existed`);
    });
}

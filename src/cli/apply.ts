// `waggle apply -f FILE|DIR|-`: every document is validated before the store is even opened,
// so a file with one bad document writes nothing. Prints kubectl's `kind/name created` lines.
import type { Command } from 'commander';
import { loadManifests } from '../api/index.js';
import { applyLine, applyManifests } from '../store/index.js';
import { withCliStore } from './store-url.js';

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('create or update objects from YAML manifests')
    .requiredOption('-f, --filename <path...>', 'a file, a directory, or - for stdin')
    .action(async (opts: { filename: string[] }, cmd: Command) => {
      const docs = loadManifests(opts.filename);
      await withCliStore(cmd, (store) =>
        applyManifests(
          store,
          docs.map((d) => d.object),
          { onResult: (r) => process.stdout.write(`${applyLine(r)}\n`) },
        ),
      );
    });
}

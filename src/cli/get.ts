// `waggle get KIND [NAME] [-n NS | -A] [-l SELECTOR] [-o wide|yaml|json|name|jsonpath=…]`,
// kubectl's habits: a table by default, the object itself for a named -o json/yaml/jsonpath, a
// `List` otherwise (get-output.ts).
import type { Command } from 'commander';
import { type AnyObject, kinds, parseLabelSelector, SelectorError } from '../api/index.js';
import { columnsFor } from './format-columns.js';
import { formatTable } from './format-table.js';
import { parseOutput, renderStructured } from './get-output.js';
import { kindArg } from './kind-arg.js';
import { withCliStore } from './store-url.js';

interface GetOptions {
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description(
      'show objects (pods/po, deployments/deploy, replicasets/rs, endpointslices, services/svc, nodes/no, ippools, l2announcement, leases, ciliumnodes/cn, ciliumendpoints/cep, ciliumidentities/ciliumid)',
    )
    .argument('<kind>', 'kind, plural or short name')
    .argument('[name]', 'one object by name')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <selector>', "label selector, e.g. 'app=web,tier in (a,b)'")
    .option(
      '-o, --output <format>',
      "wide, yaml, json, name or jsonpath=TEMPLATE (e.g. 'jsonpath={.status.podIP}')",
    )
    .action(async (typedKind: string, name: string | undefined, opts: GetOptions, cmd: Command) => {
      const kind = kindArg('get', typedKind);
      const output = parseOutput(opts.output);
      if (name && opts.allNamespaces)
        throw new Error('get: a name cannot be looked up across all namespaces (-A)');
      const selector = opts.selector === undefined ? undefined : parseLabelSelector(opts.selector);
      if (selector instanceof SelectorError) throw new Error(`get: ${selector.message}`);
      const info = kinds[kind];
      const namespace = info.namespaced && !opts.allNamespaces ? opts.namespace : undefined;
      await withCliStore(cmd, async (store) => {
        const items: AnyObject[] = name
          ? [await store.get(kind, name, namespace)]
          : (
              await store.list({
                kind,
                ...(namespace ? { namespace } : {}),
                ...(selector ? { labelSelector: selector } : {}),
              })
            ).items;
        const structured = renderStructured(output, items, name !== undefined);
        if (structured !== undefined && !(output.kind === 'name' && items.length === 0)) {
          process.stdout.write(structured);
          return;
        }
        if (items.length === 0) {
          process.stderr.write(
            namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n',
          );
          return;
        }
        const cols = columnsFor(kind);
        const wide = output.kind === 'table' && output.wide;
        const withNs = info.namespaced && opts.allNamespaces === true;
        const now = Date.now();
        const whole = wide ? cols.wideTable : undefined;
        const headers = [
          ...(withNs ? ['NAMESPACE'] : []),
          ...(whole ? whole.headers : [...cols.headers, ...(wide ? cols.wideHeaders : [])]),
        ];
        const rows = items.map((o) => [
          ...(withNs ? [o.metadata.namespace ?? ''] : []),
          ...(whole ? whole.row(o, now) : [...cols.row(o, now), ...(wide ? cols.wide(o) : [])]),
        ]);
        process.stdout.write(formatTable(headers, rows));
      });
    });
}

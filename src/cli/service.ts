// `waggle service list` (cilium-dbg service list) and `waggle bpf lb list` (cilium-dbg bpf lb
// list): the agent's services as it programmed them, and the service maps as they are. Rows are
// built by the agent (src/services/views.ts); the CLI lays them out.
import type { Command } from 'commander';
import { fetchJson, resolveSocket, table } from '../agent/api-client.js';

interface Opts {
  node?: string;
  apiSocket?: string;
  output?: string;
}

interface Listing {
  columns: string[];
  rows: string[][];
}

function listAction(path: string, empty: string) {
  return async (opts: Opts) => {
    if (opts.output !== undefined && opts.output !== 'json')
      throw new Error(`--output "${opts.output}": only json is supported`);
    const got = await fetchJson<Listing & Record<string, unknown>>(resolveSocket(opts), path);
    if (opts.output === 'json') {
      const { columns: _c, rows: _r, ...rest } = got;
      process.stdout.write(`${JSON.stringify(Object.keys(rest).length ? rest : got.rows, null, 2)}\n`);
      return;
    }
    if (got.rows.length === 0) process.stderr.write(`${empty}\n`);
    process.stdout.write(table(got.columns, got.rows));
  };
}

function withSocketOptions(cmd: Command): Command {
  return cmd
    .option('--node <name>', "the agent's node")
    .option('--api-socket <path>', 'the agent API socket')
    .option('-o, --output <fmt>', 'json');
}

export function registerService(program: Command): void {
  const service = program.command('service').description("the agent's load-balanced services");
  withSocketOptions(
    service
      .command('list')
      .alias('ls')
      .description('services with their frontends and backends, as `cilium-dbg service list`'),
  ).action(listAction('/v1/services', 'No services found.'));
}

/** `bpf lb list`, under the `bpf` command. */
export function registerBpfLb(bpf: Command): void {
  withSocketOptions(
    bpf
      .command('lb')
      .description('load-balancing maps')
      .command('list')
      .alias('ls')
      .description('waggle_lb4_services_v2 rows joined with their backends, as `cilium-dbg bpf lb list`'),
  ).action(listAction('/v1/lb', 'No entries found.'));
}

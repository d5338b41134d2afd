// `waggle monitor`: the datapath's trace and drop events of one agent, as `cilium-dbg monitor`
// prints them. Streams GET /v1/monitor until Ctrl-C (exit 0) or the agent goes away (exit 1).
import type { Command } from 'commander';
import { resolveSocket } from '../agent/api-client.js';
import { connectMonitor } from '../events/client.js';
import { parseFilter } from '../events/filter.js';
import { bannerLines, formatEvent } from '../events/format.js';
import type { ParsedLine } from '../events/wire.js';

interface MonitorOpts {
  type: string[];
  relatedTo?: string;
  from?: string;
  to?: string;
  verbose?: boolean;
  numeric?: boolean;
  json?: boolean;
  node?: string;
  apiSocket?: string;
}

const collect = (value: string, prev: string[]) => [...prev, value];

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description("print an agent's datapath trace and drop events as they happen")
    .option('-t, --type <type>', 'only events of this type: drop or trace (repeatable)', collect, [])
    .option('--related-to <id>', 'only events from or to this endpoint ID')
    .option('--from <id>', 'only events emitted by this endpoint ID')
    .option('--to <id>', 'only events to this endpoint ID')
    .option('-v, --verbose', 'the verbose form: a header line and the packet layers')
    .option('-n, --numeric', 'print identities as numbers, reserved ones too')
    .option('-j, --json', 'one JSON object per event')
    .option('--node <name>', "the agent's node (socket /run/waggle/<node>/agent.sock)")
    .option('--api-socket <path>', 'the agent API socket')
    .action(async (opts: MonitorOpts) => {
      const parsed = parseFilter({
        type: opts.type,
        ...(opts.relatedTo !== undefined ? { 'related-to': opts.relatedTo } : {}),
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        ...(opts.to !== undefined ? { to: opts.to } : {}),
      });
      if (!parsed.ok) throw new Error(`monitor: ${parsed.error}`);
      const socket = resolveSocket(opts);
      const out = (text: string) => process.stdout.write(`${text}\n`);
      const onLine = (line: ParsedLine) => {
        if (line.kind === 'hello') {
          if (!opts.json) bannerLines(line.hello.cpus, line.hello.ringBytes).forEach(out);
        } else if (line.kind === 'event') {
          if (opts.json)
            return out(JSON.stringify({ ...line.event, payload: line.event.payload.toString('base64') }));
          const ifname = (i: number) => (i === line.event.ifindex ? line.ifname : undefined);
          out(
            formatEvent(line.event, {
              numeric: opts.numeric ?? false,
              verbose: opts.verbose ?? false,
              ifname,
            }),
          );
        } else {
          process.stderr.write(`waggle monitor: skipped a line from the agent: ${line.error}\n`);
        }
      };
      const conn = connectMonitor(socket, parsed.filter, onLine);
      const onSignal = () => conn.stop();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        if ((await conn.done) === 'ended')
          throw new Error(`agent API ${socket}: the agent closed the stream`);
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    });
}

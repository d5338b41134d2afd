// `waggle endpoint list` and `waggle endpoint get <id | pod:NS/NAME>`: the agent's endpoints in
// cilium-dbg's formats (list: a table, one row per label; get: JSON, a list of one endpoint).
import type { Command } from 'commander';
import { fetchEndpoints, resolveSocket } from '../agent/api-client.js';
import { endpointModel, formatEndpointList, hostEndpointModel } from '../endpoints/views.js';

interface Target {
  node?: string;
  apiSocket?: string;
}

export function registerEndpoint(program: Command): void {
  const ep = program.command('endpoint').description("an agent's endpoints (pods, health, host)");
  ep.command('list')
    .description('every endpoint of the agent, as `cilium-dbg endpoint list`')
    .option('--node <name>', "the agent's node")
    .option('--api-socket <path>', 'the agent API socket')
    .option('-o, --output <fmt>', 'json')
    .action(async (opts: Target & { output?: string }) => {
      const r = await fetchEndpoints(resolveSocket(opts));
      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      process.stdout.write(formatEndpointList(r.endpoints, r.host));
    });
  ep.command('get')
    .description('one endpoint as JSON, by ID or pod:NAMESPACE/NAME, as `cilium-dbg endpoint get`')
    .argument('<endpoint>', 'endpoint ID, or pod:NAMESPACE/NAME')
    .option('--node <name>', "the agent's node")
    .option('--api-socket <path>', 'the agent API socket')
    .action(async (which: string, opts: Target) => {
      const r = await fetchEndpoints(resolveSocket(opts));
      const pod = /^pod:([^/]+)\/(.+)$/.exec(which);
      if (!pod && !/^\d+$/.test(which))
        throw new Error(`endpoint "${which}": expected an endpoint ID or pod:NAMESPACE/NAME`);
      if (!pod && r.host && r.host.id === Number(which)) {
        process.stdout.write(`${JSON.stringify([hostEndpointModel(r.host)], null, 2)}\n`);
        return;
      }
      const found = r.endpoints.find((e) =>
        pod ? e.podNamespace === pod[1] && e.podName === pod[2] : e.id === Number(which),
      );
      if (!found) {
        const ids = r.endpoints.map((e) => e.id).join(', ');
        throw new Error(`endpoint "${which}": not found on this agent (endpoints: ${ids || 'none'})`);
      }
      process.stdout.write(`${JSON.stringify([endpointModel(found, r.node)], null, 2)}\n`);
    });
}

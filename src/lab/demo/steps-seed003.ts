// Seed 003 on netpod's node (server): the addresses the agent allocated (router, health, the pod),
// the `networking` block of the health endpoint and of netpod, netpod's routes through the
// router (cilium_host), and `waggle monitor` showing `to-endpoint` for a ping into netpod.
import { WAGGLE_BIN } from '../paths.js';
import { LiveTool } from './live.js';
import { testPods } from './steps-seed004.js';
import { check, type DemoContext, fact, type Step } from './step.js';
import { poll, waggleOnHost } from './tools.js';

const pods: Step = {
  name: 'seed 003: the pods it looks at (testpod.yaml)',
  async run(ctx) {
    await testPods(ctx);
  },
};

const allocated: Step = {
  name: 'status --verbose: Allocated addresses (router, health, the pod)',
  async run(ctx) {
    const out = waggleOnHost(ctx, ['status', '--verbose', '--node', 'server']).out;
    const router = /^ +([\d.]+) \(router\)$/m.exec(out)?.[1];
    const health = /^ +([\d.]+) \(health\)$/m.exec(out)?.[1];
    check(ctx, router !== undefined, `the router address ${router}`);
    check(ctx, health !== undefined, `the health address ${health}`);
    const netpod = fact(ctx, 'netpodIp');
    check(ctx, out.includes(`${netpod} (default/netpod)`), `${netpod} (default/netpod)`);
    ctx.facts.set('routerIp', router);
    ctx.facts.set('healthIp', health);
  },
};

/** The `"networking": {…}` block of `endpoint get`'s JSON, as the seed's `grep -A12 networking`. */
export function networkingBlock(json: string): string {
  const lines = json.split('\n');
  const start = lines.findIndex((l) => l.includes('"networking": {'));
  if (start < 0) return '';
  const indent = /^\s*/.exec(lines[start] as string)?.[0].length ?? 0;
  const end = lines.findIndex(
    (l, i) => i > start && /^\s*}/.test(l) && (/^\s*/.exec(l)?.[0].length ?? 0) === indent,
  );
  return lines.slice(start, end + 1).join('\n');
}

function endpointGet(ctx: DemoContext, id: string): string {
  const res = waggleOnHost(ctx, ['endpoint', 'get', id, '--node', 'server'], 0);
  const block = networkingBlock(res.out);
  ctx.say(`    … ${res.out.trimEnd().split('\n').length} lines of JSON; its networking block:`);
  ctx.say(block.replace(/^/gm, '    '));
  return block;
}

/** The ID of the `endpoint list` row (an ID line and its label lines) whose text matches `re`. */
export function endpointIdWhere(list: string, re: RegExp): string | undefined {
  const rows: Array<{ id: string; text: string }> = [];
  for (const line of list.split('\n')) {
    const id = /^(\d+) /.exec(line)?.[1];
    if (id) rows.push({ id, text: line });
    else if (rows.length > 0) (rows.at(-1) as { text: string }).text += `\n${line}`;
  }
  return rows.find((r) => re.test(r.text))?.id;
}

const networking: Step = {
  name: 'endpoint get: the networking block of the health endpoint, the host and netpod',
  async run(ctx) {
    const list = waggleOnHost(ctx, ['endpoint', 'list', '--node', 'server']).out;
    const netpod = fact(ctx, 'netpodIp');
    const ids = {
      health: endpointIdWhere(list, /reserved:health/),
      host: endpointIdWhere(list, /reserved:host/),
      netpod: endpointIdWhere(list, new RegExp(` ${netpod.replace(/\./g, '\\.')} +ready`)),
    };
    check(
      ctx,
      ids.health !== undefined && ids.host !== undefined && ids.netpod !== undefined,
      `endpoint IDs: health ${ids.health}, host ${ids.host}, netpod ${ids.netpod}`,
    );
    const health = endpointGet(ctx, ids.health);
    check(ctx, /"interface-name": "lxc_health"/.test(health), 'the health endpoint is lxc_health');
    check(
      ctx,
      health.includes(`"ipv4": "${fact(ctx, 'healthIp')}"`),
      `with the health address ${fact(ctx, 'healthIp')}`,
    );
    // Seed 003 finds the router's device through the reserved:host endpoint: cilium_host there.
    const host = endpointGet(ctx, ids.host);
    check(
      ctx,
      /"interface-name": "waggle_host"/.test(host),
      "the host endpoint is waggle_host (Cilium's cilium_host)",
    );
    const pod = endpointGet(ctx, ids.netpod);
    check(ctx, pod.includes(`"ipv4": "${netpod}"`), `netpod's endpoint addresses ${netpod}`);
    check(ctx, /"container-interface-name": "eth0"/.test(pod), "netpod's side is eth0");
    check(ctx, /"interface-name": "lxc[0-9a-f]+"/.test(pod), 'its host side an lxc…');
    check(
      ctx,
      /"host-mac": "[0-9a-f:]{17}"/.test(pod) && /"mac": "[0-9a-f:]{17}"/.test(pod),
      'with both MACs',
    );
    ctx.facts.set('netpodEndpointId', ids.netpod);
  },
};

const routes: Step = {
  name: "netpod's routes: default via the router",
  async run(ctx) {
    const router = fact(ctx, 'routerIp');
    const out = waggleOnHost(ctx, ['exec', 'netpod', '--', 'ip', 'route']).out;
    check(
      ctx,
      new RegExp(`^default via ${router.replace(/\./g, '\\.')} dev eth0`, 'm').test(out),
      `default via ${router} dev eth0`,
    );
    check(
      ctx,
      new RegExp(`^${router.replace(/\./g, '\\.')} dev eth0 scope link`, 'm').test(out),
      `${router} dev eth0 scope link`,
    );
  },
};

const monitor: Step = {
  name: 'waggle monitor: to-endpoint for a ping into netpod',
  async run(ctx) {
    const id = fact(ctx, 'netpodEndpointId');
    const argv = ['monitor', '--node', 'server', '--related-to', id, '-v'];
    const mon = new LiveTool((a) => [process.execPath, WAGGLE_BIN, ...a], argv, 30_000);
    let seen: boolean | undefined;
    try {
      check(ctx, await mon.waitFor(/Listening for events/, 10_000), 'waggle monitor is listening');
      waggleOnHost(ctx, ['exec', 'webpod1', '--', 'ping', '-c', '2', '-W', '2', fact(ctx, 'netpodIp')]);
      seen = await poll(5000, () => (mon.lines.some((l) => /to-endpoint/.test(l.text)) ? true : undefined));
    } finally {
      await mon.stop();
    }
    ctx.say(`root@host# waggle ${argv.join(' ')}   (during the ping)`);
    for (const l of mon.lines.slice(0, 40)) ctx.say(`    ${l.text}`);
    if (mon.lines.length > 40) ctx.say(`    … ${mon.lines.length - 40} more lines`);
    check(ctx, seen === true, `a to-endpoint trace into endpoint ${id}`);
  },
};

export const seed003Steps: Step[] = [pods, allocated, networking, routes, monitor];

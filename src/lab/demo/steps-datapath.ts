// Inside the holder: the responder map as bpftool shows it, and the liveness the datapath trusts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../../testing/exec.js';
import { pinDir } from '../paths.js';
import { hostByName } from '../topology.js';
import { otherWorker, VIP_KEY } from './services.js';
import { check, type DemoContext, fact, type Step } from './step.js';
import { sleep, waggleOnHost } from './tools.js';

interface Entry {
  key: { ip4: number; ifindex: number };
  value: { responses_sent: number };
}

export function dumpResponder(ctx: DemoContext, node: string): Entry[] {
  const path = join(pinDir(node), 'waggle_l2_responder_v4');
  check(ctx, existsSync(path), `${node} pinned ${path}`);
  const text = sh('bpftool', ['map', 'dump', 'pinned', path]).stdout;
  ctx.say(`root@${node}# bpftool map dump pinned ${path}`);
  ctx.say(text.trimEnd().replace(/^/gm, '    '));
  const json = JSON.parse(sh('bpftool', ['-j', 'map', 'dump', 'pinned', path]).stdout) as Array<{
    formatted?: Entry;
  }>;
  return json.flatMap((e) => (e.formatted ? [e.formatted] : []));
}

function ifindex(node: string, dev: string): number {
  const out = JSON.parse(sh('ip', ['-n', hostByName(node).netns, '-j', 'link', 'show', 'dev', dev]).stdout);
  return (out as Array<{ ifindex: number }>)[0]?.ifindex ?? -1;
}

const responderMap: Step = {
  name: 'the responder map holds the address, with its counter',
  async run(ctx) {
    const holder = fact(ctx, 'holder');
    const entries = dumpResponder(ctx, holder);
    const eth1 = entries.find((e) => e.key.ip4 === VIP_KEY && e.key.ifindex === ifindex(holder, 'eth1'));
    check(
      ctx,
      entries.some((e) => e.key.ip4 === VIP_KEY),
      `"ip4": ${VIP_KEY} (10.0.10.0) is in ${holder}'s map`,
    );
    check(ctx, eth1 !== undefined, `an entry for ${holder}'s eth1 (ifindex ${ifindex(holder, 'eth1')})`);
    const seen = Number(fact(ctx, 'repliesSeen'));
    check(
      ctx,
      eth1.value.responses_sent >= seen,
      `responses_sent ${eth1.value.responses_sent} ≥ the ${seen} replies arping saw`,
    );
    ctx.figures.push({ name: `responses_sent on ${holder} eth1`, value: String(eth1.value.responses_sent) });
    const other = otherWorker(holder);
    const others = dumpResponder(ctx, other);
    check(ctx, !others.some((e) => e.key.ip4 === VIP_KEY), `${other}'s map has no entry for 10.0.10.0`);
  },
};

function liveness(out: string): bigint | undefined {
  const m = /AgentLiveness\s+(\d+)/.exec(out);
  return m ? BigInt(m[1] as string) : undefined;
}

const runtimeConfig: Step = {
  name: 'waggle_runtime_config carries AgentLiveness',
  async run(ctx) {
    const holder = fact(ctx, 'holder');
    const first = waggleOnHost(ctx, ['map', 'get', 'waggle_runtime_config', '--node', holder]);
    const a = liveness(first.out);
    check(ctx, first.code === 0 && a !== undefined && a > 0n, 'AgentLiveness is set');
    await sleep(1500);
    const b = liveness(waggleOnHost(ctx, ['map', 'get', 'waggle_runtime_config', '--node', holder]).out);
    check(ctx, b !== undefined && b > a, 'AgentLiveness advanced 1.5 s later (the agent is alive)');
    ctx.figures.push({
      name: 'AgentLiveness advance, two reads 1.5 s apart',
      value: `${(Number(b - a) / 1e6).toFixed(1)} ms`,
    });
  },
};

export const datapathSteps: Step[] = [responderMap, runtimeConfig];

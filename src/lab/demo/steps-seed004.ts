// Seed 004: netpod on server, webpod1 and webpod2 on the workers (testpod.yaml), what the agent
// and the store know about them, and the bpf_lxc programs on netpod's lxc.
import { join } from 'node:path';
import { sh } from '../../testing/exec.js';
import { pinDir, WAGGLE_BIN } from '../paths.js';
import { inCidr, type PodRow, podCidr, waitForPods } from './pods.js';
import { EXAMPLES } from './steps-story.js';
import { check, type DemoContext, fact, type Step } from './step.js';
import { inHost, waggleOnHost, waggleOnServer } from './tools.js';

export const TEST_PODS = { netpod: 'server', webpod1: 'node-0', webpod2: 'node-1' } as const;

/** Applies testpod.yaml (unchanged if it is there) and waits for the three pods. */
export async function testPods(ctx: DemoContext): Promise<PodRow[]> {
  const res = waggleOnServer(ctx, ['apply', '-f', join(EXAMPLES, 'testpod.yaml')]);
  check(ctx, res.code === 0, 'testpod.yaml applied');
  const rows = await waitForPods(ctx, (all) => {
    const mine = all.filter((r) => r.name in TEST_PODS);
    return mine.length === 3 ? mine : undefined;
  });
  for (const r of rows) {
    const node = TEST_PODS[r.name as keyof typeof TEST_PODS];
    const cidr = podCidr(ctx, node);
    check(ctx, r.node === node && inCidr(r.ip, cidr), `${r.name} runs on ${node} with ${r.ip} from ${cidr}`);
    ctx.facts.set(`${r.name}Ip`, r.ip);
  }
  return rows;
}

const pods: Step = {
  name: 'seed 004: netpod, webpod1 and webpod2',
  async run(ctx) {
    await testPods(ctx);
  },
};

const endpoints: Step = {
  name: 'endpoints: get ciliumnodes, get ciliumendpoints -A, endpoint list, bpf endpoint list',
  async run(ctx) {
    const nodes = waggleOnServer(ctx, ['get', 'ciliumnodes']).out;
    for (const n of ['server', 'node-0', 'node-1']) {
      check(
        ctx,
        new RegExp(`^${n} +10\\.200\\.\\d+\\.\\d+ +\\d+\\.\\d+\\.\\d+\\.\\d+ `, 'm').test(nodes),
        `CiliumNode ${n}`,
      );
    }
    const ceps = waggleOnServer(ctx, ['get', 'ciliumendpoints', '-A']).out;
    for (const p of Object.keys(TEST_PODS)) {
      const ip = fact(ctx, `${p}Ip`).replace(/\./g, '\\.');
      check(ctx, new RegExp(`default +${p} +\\d+ +ready +${ip}`).test(ceps), `CiliumEndpoint ${p} ready`);
    }
    const netpod = fact(ctx, 'netpodIp');
    const list = waggleOnHost(ctx, ['endpoint', 'list', '--node', 'server']).out;
    check(ctx, /reserved:health .*ready/.test(list), "server's health endpoint is ready");
    check(
      ctx,
      new RegExp(` ${netpod.replace(/\./g, '\\.')} +ready`).test(list),
      `netpod's endpoint ${netpod} ready`,
    );
    const bpf = waggleOnHost(ctx, ['bpf', 'endpoint', 'list', '--node', 'server']).out;
    check(
      ctx,
      bpf.includes(`${netpod}:0`) && /\(localhost\)/.test(bpf),
      'waggle_lxc has netpod and the host',
    );
  },
};

/** netpod's host-side veth, from the agent's endpoint record. */
function netpodLxc(): string {
  const res = sh(process.execPath, [WAGGLE_BIN, 'endpoint', 'get', 'pod:default/netpod', '--node', 'server']);
  const parsed = JSON.parse(res.stdout) as unknown;
  const ep = (Array.isArray(parsed) ? parsed[0] : parsed) as {
    status?: { networking?: Record<string, unknown> };
  };
  return String(ep.status?.networking?.['interface-name'] ?? '');
}

const tcx: Step = {
  name: "bpf_lxc on netpod's lxc: tcx links, bpftool link show, bpftool prog show",
  async run(ctx) {
    const lxc = netpodLxc();
    check(ctx, /^lxc/.test(lxc), `netpod's host-side interface is ${lxc}`);
    inHost(ctx, 'server', ['ip', '-br', 'link', 'show', 'dev', lxc]);
    inHost(ctx, 'server', ['bpftool', 'net', 'show', 'dev', lxc]);
    ctx.say("   Debian 12's bpftool 7.1 lists no tcx attachments in `net show` (tcx came with bpftool");
    ctx.say('   7.3, where it prints `tcx/ingress from_container`); the agent attaches through pinned');
    ctx.say('   tcx links, which `bpftool link show` prints as `type 11`:');
    for (const [dir, prog] of [
      ['ingress', 'from_container'],
      ['egress', 'to_container'],
    ] as const) {
      const pin = join(pinDir('server'), 'links', `${lxc}_${dir}`);
      const link = inHost(ctx, 'server', ['bpftool', 'link', 'show', 'pinned', pin]).out;
      const id = /\bprog (\d+)/.exec(link)?.[1];
      check(ctx, id !== undefined, `the ${dir} link holds a program (id ${id})`);
      const shown = inHost(ctx, 'server', ['bpftool', 'prog', 'show', 'id', id]).out;
      check(
        ctx,
        new RegExp(`sched_cls +name ${prog}\\b`).test(shown),
        `program ${id} is ${prog} (sched_cls)`,
      );
    }
  },
};

export const seed004PodSteps: Step[] = [pods, endpoints, tcx];

// The seed's story up to the announcement: the Ingress and its pending service, pool, unanswered ARP and a failing
// `curl 10.0.10.0`, the policy, gratuitous ARP on both segments, answered ARP and nginx's page
// from the jumpbox, the lease.
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.js';
import { curlFromJumpbox, WELCOME } from './curl-jumpbox.js';
import { LiveTool, arpingReply } from './live.js';
import { externalIp, leaseHolder, leaseName, macOf, SERVICES, VIP } from './services.js';
import { check, type DemoContext, fact, type Step } from './step.js';
import { inHost, poll, tableCell, waggleOnServer } from './tools.js';

export const EXAMPLES = join(REPO_ROOT, 'examples', 'seed');

export function arpingFromJumpbox(ctx: DemoContext, count: number, deadlineS: number) {
  const res = inHost(ctx, 'jumpbox', [
    'arping',
    '-c',
    String(count),
    '-w',
    String(deadlineS),
    '-i',
    'eth1',
    VIP,
  ]);
  return res.out.split('\n').flatMap((l) => arpingReply(l) ?? []);
}

const pending: Step = {
  name: 'the Ingress: its LoadBalancer service stays <pending> without a pool',
  async run(ctx) {
    check(
      ctx,
      waggleOnServer(ctx, ['apply', '-f', join(EXAMPLES, 'basic-ingress.yaml')]).code === 0,
      'basic-ingress applied',
    );
    for (const svc of SERVICES) {
      // The operator's ingress controller makes it (dedicated mode: cilium-ingress-<name>).
      const made = await poll(20_000, () => externalIp(ctx, svc));
      check(
        ctx,
        made === '<pending>',
        `${svc.namespace}/${svc.name} made by the operator, EXTERNAL-IP <pending>`,
      );
    }
    waggleOnServer(ctx, ['get', 'ingress']);
  },
};

const pool: Step = {
  name: 'the pool gives the service an address',
  async run(ctx) {
    check(ctx, waggleOnServer(ctx, ['apply', '-f', join(EXAMPLES, 'lb.yaml')]).code === 0, 'pool applied');
    const ips = new Map<string, string>();
    for (const svc of SERVICES) {
      const ip = await poll(20_000, () => {
        const v = externalIp(ctx, svc);
        return v && v !== '<pending>' ? v : undefined;
      });
      check(ctx, ip !== undefined && /^10\.0\.10\.\d+$/.test(ip), `${svc.name} got ${ip} from 10.0.10.0/24`);
      ips.set(`${svc.namespace}/${svc.name}`, ip);
    }
    const holderOfVip = [...ips].find(([, ip]) => ip === VIP)?.[0];
    check(ctx, holderOfVip !== undefined, `the service holds ${VIP}, the pool's first address`);
    const ing = await poll(10_000, () => {
      const out = waggleOnServer(ctx, ['get', 'ingress'], { quiet: true }).out;
      return tableCell(out, 'basic-ingress', 'ADDRESS') === VIP ? out : undefined;
    });
    check(ctx, ing !== undefined, `basic-ingress's ADDRESS is ${VIP}`);
    waggleOnServer(ctx, ['get', 'ingress']);
    ctx.facts.set('vipService', holderOfVip);
  },
};

const unanswered: Step = {
  name: 'nobody answers ARP for the address',
  async run(ctx) {
    check(ctx, arpingFromJumpbox(ctx, 3, 4).length === 0, `arping ${VIP} from the jumpbox gets no reply`);
    inHost(ctx, 'jumpbox', ['ping', '-c', '1', '-W', '2', VIP]);
    const neigh = inHost(ctx, 'jumpbox', ['ip', 'neigh', 'show', VIP, 'dev', 'eth1']).out;
    check(
      ctx,
      /INCOMPLETE|FAILED/.test(neigh) && !/lladdr/.test(neigh),
      `the jumpbox's neighbour entry is incomplete`,
    );
    const res = curlFromJumpbox(ctx, `http://${VIP}/`);
    check(
      ctx,
      res.code !== 0,
      `curl ${VIP} from the jumpbox fails (curl exit ${res.code}): nobody owns the address yet`,
    );
  },
};

/** The line's interface and announced MAC if it is a gratuitous ARP for the VIP (either form). */
export function garp(line: string): { dev: string; mac: string } | undefined {
  const dev = line.split(/\s+/)[1];
  const reply = new RegExp(`Reply ${VIP.replace(/\./g, '\\.')} is-at ([0-9a-f:]{17})`).exec(line);
  const announce = new RegExp(`Request who-has ${VIP} tell ${VIP},`.replace(/\./g, '\\.')).test(line);
  const src = /([0-9a-f:]{17}) ethertype/.exec(line)?.[1];
  if (!dev || !/\b(B|In)\b/.test(line)) return undefined;
  if (reply) return { dev, mac: reply[1] as string };
  if (announce && src) return { dev, mac: src };
  return undefined;
}

const policy: Step = {
  name: 'the L2 policy: a lease, and gratuitous ARP on both segments',
  async run(ctx) {
    const capture = new LiveTool('jumpbox', ['tcpdump', '-n', '-e', '-l', '-i', 'any', 'arp'], 60_000);
    try {
      check(ctx, await capture.waitFor(/listening on/, 10_000), 'tcpdump is capturing ARP in the jumpbox');
      const t0 = capture.elapsedMs();
      check(
        ctx,
        waggleOnServer(ctx, ['apply', '-f', join(EXAMPLES, 'l2.yaml')]).code === 0,
        'policy1 applied',
      );
      const [ns, name] = fact(ctx, 'vipService').split('/') as [string, string];
      const holder = await poll(30_000, () => leaseHolder(ctx, leaseName({ namespace: ns, name })));
      check(ctx, holder === 'node-0' || holder === 'node-1', `a worker holds the lease (holder: ${holder})`);
      ctx.facts.set('holder', holder);
      const want = { eth0: macOf(holder, 'eth0'), eth1: macOf(holder, 'eth1') };
      const seen = () => capture.lines.map((l) => garp(l.text)).filter((g) => g !== undefined);
      await poll(5000, () =>
        seen().some((g) => g.dev === 'eth0') && seen().some((g) => g.dev === 'eth1') ? true : undefined,
      );
      await capture.stop();
      ctx.say('root@jumpbox# tcpdump -n -e -l -i any arp');
      for (const l of capture.lines) ctx.say(`    ${l.text}`);
      const first = capture.lines.find((l) => garp(l.text));
      if (first)
        ctx.figures.push({
          name: 'policy applied → first gratuitous ARP',
          value: `${Math.round(first.atMs - t0)} ms`,
        });
      check(
        ctx,
        seen().some((g) => g.dev === 'eth1' && g.mac === want.eth1),
        `gratuitous ARP on eth1: ${VIP} is-at ${want.eth1}`,
      );
      check(
        ctx,
        seen().some((g) => g.dev === 'eth0' && g.mac === want.eth0),
        `gratuitous ARP on eth0: ${VIP} is-at ${want.eth0}`,
      );
    } finally {
      await capture.stop();
    }
  },
};

const answered: Step = {
  name: "arping is answered with the holder's eth1 MAC",
  async run(ctx) {
    const holder = fact(ctx, 'holder');
    const replies = arpingFromJumpbox(ctx, 3, 5);
    check(ctx, replies.length > 0, `arping ${VIP} is answered (${replies.length} of 3)`);
    check(
      ctx,
      replies.every((r) => r.mac === macOf(holder, 'eth1')),
      `every reply is ${holder}'s eth1 ${macOf(holder, 'eth1')}`,
    );
    ctx.facts.set('repliesSeen', String(replies.length));
    ctx.figures.push({ name: `arping ${VIP} reply times`, value: replies.map((r) => r.time).join(', ') });
    inHost(ctx, 'jumpbox', ['ping', '-c', '1', '-W', '1', VIP]);
    const neigh = inHost(ctx, 'jumpbox', ['ip', 'neigh', 'show', VIP, 'dev', 'eth1']).out;
    check(
      ctx,
      neigh.includes(`lladdr ${macOf(holder, 'eth1')}`),
      `the jumpbox's neighbour entry is ${macOf(holder, 'eth1')}`,
    );
    const t0 = performance.now();
    const res = curlFromJumpbox(ctx, `http://${VIP}/`);
    const ms = Math.round(performance.now() - t0);
    check(
      ctx,
      res.code === 0 && res.out.includes(WELCOME),
      `curl ${VIP} from the jumpbox: Welcome to nginx! (${holder}'s eBPF service LB, then a node's HAProxy)`,
    );
    ctx.figures.push({ name: `curl ${VIP} from the jumpbox (with ip netns exec)`, value: `${ms} ms` });
  },
};

const lease: Step = {
  name: '`waggle get lease` shows the holder',
  async run(ctx) {
    const [ns, name] = fact(ctx, 'vipService').split('/') as [string, string];
    const holder = leaseHolder(ctx, leaseName({ namespace: ns, name }));
    check(
      ctx,
      holder === fact(ctx, 'holder'),
      `${leaseName({ namespace: ns, name })} is held by ${fact(ctx, 'holder')}`,
    );
  },
};

export const storySteps: Step[] = [pending, pool, unanswered, policy, answered, lease];

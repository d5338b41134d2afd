// The seed's side question: without the policy, does the kernel's proxy_arp answer instead? It
// does, on node-1, because node-1 would route 10.0.10.0 out of eth0 (its default route).
import { join } from 'node:path';
import { arpingFromJumpbox, EXAMPLES } from './steps-story.js';
import { dumpResponder } from './steps-datapath.js';
import { macOf, VIP, VIP_KEY } from './services.js';
import { check, type Step } from './step.js';
import { inHost, poll, waggleOnServer } from './tools.js';

const proxyArp: Step = {
  name: 'proxy_arp: the kernel answers once the policy is gone',
  async run(ctx) {
    check(
      ctx,
      waggleOnServer(ctx, ['delete', '-f', join(EXAMPLES, 'l2.yaml')]).code === 0,
      'policy1 deleted',
    );
    const silent = await poll(30_000, () => (arpingFromJumpbox(ctx, 2, 3).length === 0 ? true : undefined));
    check(ctx, silent === true, `arping ${VIP} goes unanswered without the policy`);
    // What answers next cannot be waggle's datapath: node-1's responder map no longer has the VIP.
    const entries = dumpResponder(ctx, 'node-1');
    check(ctx, !entries.some((e) => e.key.ip4 === VIP_KEY), `node-1's responder map has no ${VIP}`);
    inHost(ctx, 'node-1', ['sysctl', '-w', 'net.ipv4.conf.eth1.proxy_arp=1']);
    try {
      const replies = arpingFromJumpbox(ctx, 4, 6);
      check(ctx, replies.length > 0, `arping ${VIP} is answered again (${replies.length} of 4)`);
      check(
        ctx,
        replies.every((r) => r.mac === macOf('node-1', 'eth1')),
        `by node-1's kernel, eth1 ${macOf('node-1', 'eth1')}`,
      );
      ctx.figures.push({
        name: 'proxy_arp reply times (kernel proxy_delay)',
        value: replies.map((r) => r.time).join(', '),
      });
    } finally {
      inHost(ctx, 'node-1', ['sysctl', '-w', 'net.ipv4.conf.eth1.proxy_arp=0']);
      // Leave the lab announcing again, as the story left it.
      waggleOnServer(ctx, ['apply', '-f', join(EXAMPLES, 'l2.yaml')]);
    }
  },
};

export const proxyArpSteps: Step[] = [proxyArp];

// Kill the holder's agent and watch from the jumpbox: its datapath keeps answering until the
// liveness it trusts is older than the max liveness, then the other worker takes the lease and
// answers. The timeline comes from arping replies timestamped as they arrive; a curl loop
// through the address counts the requests that failed meanwhile.
import { labKill, labRestart } from '../control.js';
import { CurlLoop } from './curl-jumpbox.js';
import { arpingReply, LiveTool } from './live.js';
import { leaseHolder, leaseName, macOf, otherWorker, VIP } from './services.js';
import { check, type DemoContext, fact, type Step } from './step.js';
import { poll } from './tools.js';

/** Tolerance for timings seen through arping (one request every 200 ms) and a busy host. */
const SLACK_MS = 1500;

interface Reply {
  atMs: number;
  mac: string;
}

function printTimeline(ctx: DemoContext, after: Reply[], marks: Array<Reply | undefined>, killedAt: number) {
  ctx.say(`    ${after.length} replies after the kill; timeline (ms after the kill → MAC):`);
  const shown = after.filter((r, i) => i === 0 || i === after.length - 1 || marks.includes(r));
  for (const r of shown) ctx.say(`    +${Math.round(r.atMs - killedAt)} ms  ${r.mac}`);
}

const failover: Step = {
  name: "the holder's agent is killed; the other node takes over",
  async run(ctx) {
    const holder = fact(ctx, 'holder');
    const next = otherWorker(holder);
    const maxMs = Number(fact(ctx, 'maxLivenessMs'));
    const intervalMs = Number(fact(ctx, 'livenessIntervalMs'));
    const oldMac = macOf(holder, 'eth1');
    const newMac = macOf(next, 'eth1');
    const [ns, name] = fact(ctx, 'vipService').split('/') as [string, string];
    // One request every 200 ms, for at most 90 s.
    const argv = ['arping', '-i', 'eth1', '-W', '0.2', '-w', '90', VIP];
    ctx.say(`root@jumpbox# ${argv.join(' ')}   (in the background, timestamped)`);
    const arping = new LiveTool('jumpbox', argv, 95_000);
    // And nginx's page through the address, request after request, counting every failure.
    ctx.say(
      `root@jumpbox# while true; do curl -s -m 1 http://${VIP}/; sleep 0.1; done   (in the background)`,
    );
    const curls = new CurlLoop(`http://${VIP}/`, 400);
    try {
      const replies = (): Reply[] =>
        arping.lines.flatMap((l) => {
          const r = arpingReply(l.text);
          return r ? [{ atMs: l.atMs, mac: r.mac }] : [];
        });
      const before = await poll(5000, () => (replies().some((r) => r.mac === oldMac) ? true : undefined));
      check(ctx, before === true, `${holder} answers before the kill`);
      ctx.say(`root@host# waggle lab kill agent ${holder}`);
      const killedAt = arping.elapsedMs();
      await labKill('agent', holder, (l) => ctx.say(`    ${l}`));
      // Watch until the new holder has answered for a while and the old holder's liveness has
      // certainly expired, so the checks below see the whole handover.
      await poll(60_000, () => {
        const first = replies().find((r) => r.mac === newMac && r.atMs > killedAt);
        const until = Math.max(first?.atMs ?? Number.POSITIVE_INFINITY, killedAt + maxMs + SLACK_MS) + 2000;
        return arping.elapsedMs() > until ? true : undefined;
      });
      await arping.stop();
      await curls.stop();
      const after = replies().filter((r) => r.atMs > killedAt);
      const lastOld = after.filter((r) => r.mac === oldMac).at(-1);
      const firstNew = after.find((r) => r.mac === newMac);
      printTimeline(ctx, after, [lastOld, firstNew], killedAt);
      const unanswered = arping.lines.filter((l) => l.atMs > killedAt && /^Timeout/.test(l.text)).length;
      check(ctx, firstNew !== undefined, `${next} answers ${VIP} with ${newMac}`);
      check(ctx, leaseHolder(ctx, leaseName({ namespace: ns, name })) === next, `the lease moved to ${next}`);
      check(ctx, lastOld !== undefined, `${holder}'s datapath answered after its agent died`);
      const oldFor = lastOld.atMs - killedAt;
      check(
        ctx,
        oldFor >= maxMs - intervalMs - SLACK_MS,
        `${holder} kept answering on its own for ${Math.round(oldFor)} ms (≈ max liveness ${maxMs} ms minus the age of its last liveness write)`,
      );
      check(
        ctx,
        oldFor <= maxMs + SLACK_MS,
        `${holder} stopped answering once its liveness was older than ${maxMs} ms`,
      );
      const tail = after.filter((r) => r.atMs > killedAt + maxMs + SLACK_MS);
      check(
        ctx,
        tail.length > 0 && tail.every((r) => r.mac === newMac),
        `after that, only ${next} answers (${tail.length} replies)`,
      );
      const gap = firstNew.atMs - lastOld.atMs;
      ctx.figures.push(
        { name: `${holder} answered after its agent died for`, value: `${Math.round(oldFor)} ms` },
        {
          name: `failover (kill → first reply from ${next})`,
          value: `${Math.round(firstNew.atMs - killedAt)} ms`,
        },
        {
          name: gap >= 0 ? 'unanswered window (last old → first new reply)' : 'overlap (both nodes answered)',
          value: `${Math.round(Math.abs(gap))} ms`,
        },
        { name: 'arping requests unanswered during the failover', value: String(unanswered) },
      );
      const c = curls.counts();
      ctx.say(`    curl loop: ${c.total} requests, ${c.failed} failed`);
      check(ctx, c.total > 0, `the curl loop ran (${c.total} requests)`);
      ctx.figures.push({
        name: `curl ${VIP} from the jumpbox during the failover`,
        value: `${c.failed} of ${c.total} requests failed`,
      });
      ctx.facts.set('holder', next);
    } finally {
      await arping.stop();
      await curls.stop();
    }
    ctx.say(`root@host# waggle lab restart agent ${holder}`);
    await labRestart('agent', holder, (l) => ctx.say(`    ${l}`));
  },
};

export const failoverSteps: Step[] = [failover];

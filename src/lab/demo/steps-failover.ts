// Kill the holder's agent and watch from the jumpbox: its datapath keeps answering until the
// liveness it trusts is too old, then the other worker takes the lease and answers.
import { labKill, labRestart } from '../control.js';
import { arpingReply, LiveTool } from './live.js';
import { leaseHolder, leaseName, macOf, otherWorker, VIP } from './services.js';
import { check, fact, type Step } from './step.js';
import { poll } from './tools.js';

const failover: Step = {
  name: "the holder's agent is killed; the other node takes over",
  async run(ctx) {
    const holder = fact(ctx, 'holder');
    const next = otherWorker(holder);
    const [ns, name] = fact(ctx, 'vipService').split('/') as [string, string];
    const lease = leaseName({ namespace: ns, name });
    // One request every 200 ms, for at most 90 s.
    const argv = ['arping', '-i', 'eth1', '-W', '0.2', '-w', '90', VIP];
    ctx.say(`root@jumpbox# ${argv.join(' ')}   (in the background, timestamped)`);
    const arping = new LiveTool('jumpbox', argv, 95_000);
    try {
      const replies = () =>
        arping.lines.flatMap((l) => {
          const r = arpingReply(l.text);
          return r ? [{ atMs: l.atMs, mac: r.mac }] : [];
        });
      check(
        ctx,
        (await poll(5000, () => (replies().length > 0 ? true : undefined))) === true,
        `${holder} answers before the kill`,
      );
      ctx.say(`root@host# waggle lab kill agent ${holder}`);
      const killedAt = arping.elapsedMs();
      await labKill('agent', holder, (l) => ctx.say(`    ${l}`));
      const newMac = macOf(next, 'eth1');
      const taken = await poll(60_000, () =>
        replies().some((r) => r.mac === newMac && r.atMs > killedAt) ? true : undefined,
      );
      const newHolder = leaseHolder(ctx, lease);
      await arping.stop();
      const after = replies().filter((r) => r.atMs > killedAt);
      const lastOld = [...after].reverse().find((r) => r.mac === macOf(holder, 'eth1'));
      const firstNew = after.find((r) => r.mac === newMac);
      ctx.say(`    ${after.length} replies after the kill; timeline (ms after kill → MAC):`);
      for (const r of after.filter((x, i) => i === 0 || x === lastOld || x === firstNew)) {
        ctx.say(`    +${Math.round(r.atMs - killedAt)} ms  ${r.mac}`);
      }
      check(ctx, taken === true && firstNew !== undefined, `${next} answers ${VIP} with ${newMac}`);
      check(ctx, newHolder === next, `the lease moved to ${next}`);
      check(
        ctx,
        !after.some((r) => r.mac === macOf(holder, 'eth1') && r.atMs > firstNew.atMs),
        `${holder} stopped answering`,
      );
      const stopMs = lastOld ? lastOld.atMs - killedAt : 0;
      ctx.figures.push({
        name: `${holder} still answered after its agent died for`,
        value: `${Math.round(stopMs)} ms`,
      });
      ctx.figures.push({
        name: `failover (kill → first reply from ${next})`,
        value: `${Math.round(firstNew.atMs - killedAt)} ms`,
      });
      ctx.figures.push({
        name: 'unanswered window',
        value: `${Math.round(firstNew.atMs - killedAt - stopMs)} ms`,
      });
      ctx.facts.set('holder', next);
    } finally {
      await arping.stop();
    }
    ctx.say(`root@host# waggle lab restart agent ${holder}`);
    await labRestart('agent', holder, (l) => ctx.say(`    ${l}`));
  },
};

export const failoverSteps: Step[] = [failover];

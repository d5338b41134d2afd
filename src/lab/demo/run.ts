// `waggle lab demo` (and `make demo`): a fresh lab, then the seed's story step by step. Every step
// prints what it ran and the real output, then checks it; the first failed check ends the demo
// with the step's name. Every figure printed at the end was measured in this run.
import { labDown } from '../down.js';
import { labUp } from '../up.js';
import { datapathSteps } from './steps-datapath.js';
import { failoverSteps } from './steps-failover.js';
import { proxyArpSteps } from './steps-proxy-arp.js';
import { storySteps } from './steps-story.js';
import { type DemoContext, type Step, StepFailed } from './step.js';

const labStep: Step = {
  name: "a fresh lab: the seed's four machines",
  async run(ctx) {
    // Fresh every time: the story starts with no pool and no policy in the store.
    await labDown((l) => ctx.say(`    ${l}`));
    await labUp((l) => ctx.say(`    ${l}`));
  },
};

export function demoSteps(proxyArp: boolean): Step[] {
  return [labStep, ...storySteps, ...datapathSteps, ...failoverSteps, ...(proxyArp ? proxyArpSteps : [])];
}

export async function runDemo(opts: { proxyArp: boolean; say: (s: string) => void }): Promise<void> {
  const ctx: DemoContext = { say: opts.say, figures: [], facts: new Map(), step: '' };
  const steps = demoSteps(opts.proxyArp);
  for (const [i, step] of steps.entries()) {
    ctx.step = step.name;
    const t0 = performance.now();
    opts.say(`\n== [${i + 1}/${steps.length}] ${step.name}`);
    try {
      await step.run(ctx);
    } catch (err) {
      if (err instanceof StepFailed) throw err;
      throw new StepFailed(
        step.name,
        err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
      );
    }
    opts.say(`   step done in ${Math.round(performance.now() - t0)} ms`);
  }
  opts.say('\n== measured in this run');
  for (const f of ctx.figures) opts.say(`   ${f.name.padEnd(52)} ${f.value}`);
  opts.say('\nThe lab is still up. Try:');
  for (const cmd of [
    'waggle lab status',
    'waggle lab exec jumpbox -- arping -c 3 -i eth1 10.0.10.0',
    'waggle get lease -n kube-system',
    'waggle l2 list --node node-1',
    'waggle lab kill agent node-0; waggle lab restart agent node-0',
    'waggle lab logs agent node-1 -n 20',
    'waggle lab down',
  ]) {
    opts.say(`   ${cmd}`);
  }
}

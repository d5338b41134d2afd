// `waggle lab demo` (and `make demo`): a fresh lab, then the seed's story step by step. Every step
// prints what it ran and the real output, then checks it; the first failed check ends the demo
// with the step's name. Every figure printed at the end was measured in this run.
import { requireRoot } from '../root.js';
import { datapathSteps } from './steps-datapath.js';
import { failoverSteps } from './steps-failover.js';
import { labStep } from './steps-lab.js';
import { proxyArpSteps } from './steps-proxy-arp.js';
import { nginxSteps } from './steps-nginx.js';
import { seed003Steps } from './steps-seed003.js';
import { seed004PodSteps } from './steps-seed004.js';
import { storySteps } from './steps-story.js';
import { seed004SvcSteps } from './steps-svc.js';
import { type DemoContext, type Step, StepFailed } from './step.js';
import { errorLine } from '../../lib/errors.js';

/** The seeds in the order the demo tells them; each can be run alone with `--only`. */
export const SECTIONS = ['seed-001', 'seed-004', 'seed-003'] as const;
export type Section = (typeof SECTIONS)[number];

function sectionSteps(section: Section, proxyArp: boolean): Step[] {
  switch (section) {
    case 'seed-001':
      return [
        ...nginxSteps,
        ...storySteps,
        ...datapathSteps,
        ...failoverSteps,
        ...(proxyArp ? proxyArpSteps : []),
      ];
    case 'seed-004':
      return [...seed004PodSteps, ...seed004SvcSteps];
    case 'seed-003':
      return seed003Steps;
  }
}

/** A fresh lab, then the chosen seeds' steps (all of them without `only`). */
export function demoSteps(proxyArp: boolean, only?: Section): Step[] {
  return [labStep, ...(only ? [only] : SECTIONS).flatMap((s) => sectionSteps(s, proxyArp))];
}

export async function runDemo(opts: {
  proxyArp: boolean;
  only?: Section;
  say: (s: string) => void;
}): Promise<void> {
  requireRoot('demo');
  const ctx: DemoContext = { say: opts.say, figures: [], facts: new Map(), step: '' };
  const steps = demoSteps(opts.proxyArp, opts.only);
  const started = performance.now();
  for (const [i, step] of steps.entries()) {
    ctx.step = step.name;
    const t0 = performance.now();
    opts.say(`\n== [${i + 1}/${steps.length}] ${step.name}`);
    try {
      await step.run(ctx);
    } catch (err) {
      // The lab stays as the failed step left it, so the failure can be looked at.
      opts.say('\nThe lab is left up for inspection: waggle lab status, waggle lab logs agent node-1');
      if (err instanceof StepFailed) throw err;
      throw new StepFailed(step.name, errorLine(err));
    }
    opts.say(`   step done in ${Math.round(performance.now() - t0)} ms`);
  }
  opts.say('\n== measured in this run');
  ctx.figures.push({
    name: 'the whole demo',
    value: `${Math.round((performance.now() - started) / 1000)} s`,
  });
  for (const f of ctx.figures) opts.say(`   ${f.name.padEnd(52)} ${f.value}`);
  opts.say('\nThe lab is still up. Try (waggle = `node bin/waggle.js` in the repository, or `npx waggle`):');
  for (const cmd of NEXT_COMMANDS) opts.say(`   ${cmd}`);
}

/** What to try next; each of these works against the lab the demo leaves (docs/lab.md). */
const NEXT_COMMANDS = [
  'waggle lab status',
  'waggle get svc -A',
  'waggle get pods -o wide',
  "waggle exec netpod -- curl -s $(waggle get svc svc -o jsonpath='{.spec.clusterIP}')",
  'waggle service list --node server',
  'waggle monitor --node server',
  'waggle get lease -n kube-system',
  'waggle get ippools',
  'waggle status --node node-0',
  'waggle l2 list --node node-0',
  'waggle map get waggle_runtime_config --node node-0',
  'waggle lab exec jumpbox -- arping -c 3 -i eth1 10.0.10.0',
  'waggle lab kill agent node-0; waggle lab restart agent node-0',
  'waggle lab logs agent node-1 -n 20',
  'waggle lab down',
];

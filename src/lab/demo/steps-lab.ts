// The demo's first step: a fresh lab, and the settings its agents really run with, read back from
// the agents themselves; the failover step's checks are computed from them.
import { describeAgentTimings } from '../agent-timings.js';
import { AGENT_FLAGS_ENV } from '../components.js';
import { labDown } from '../down.js';
import { labUp } from '../up.js';
import { check, type Step } from './step.js';
import { waggleOnHost } from './tools.js';

export const labStep: Step = {
  name: "a fresh lab: the seed's four machines",
  async run(ctx) {
    // Fresh every time: the story starts with no pool and no policy in the store.
    await labDown((l) => ctx.say(`    ${l}`));
    await labUp((l) => ctx.say(`    ${l}`));
    const extra = process.env[AGENT_FLAGS_ENV];
    ctx.say(
      `   agent timings: ${describeAgentTimings()}${extra ? `, then ${AGENT_FLAGS_ENV}: ${extra}` : ''}`,
    );
    const seen = new Set<string>();
    for (const node of ['node-0', 'node-1']) {
      const st = waggleOnHost(ctx, ['status', '--node', node]);
      const m = /every (\d+)ms, max (\d+)ms/.exec(st.out);
      check(ctx, st.code === 0 && m !== null, `${node}'s agent answers on its API socket`);
      ctx.say(`   ${node}: liveness written every ${m[1]} ms, datapath max liveness ${m[2]} ms`);
      ctx.facts.set('livenessIntervalMs', m[1] as string);
      ctx.facts.set('maxLivenessMs', m[2] as string);
      seen.add(`${m[1]}/${m[2]}`);
    }
    check(ctx, seen.size === 1, 'both workers run with the same liveness settings');
  },
};

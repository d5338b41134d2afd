// `waggle connectivity test`: deploy the test's pods and services in a namespace of their own,
// wait for them, run the scenarios one after another, check the drop counters, print the report
// and remove everything again — also when a step fails or the user presses Ctrl-C. Every probe
// has its own timeout and the run as a whole a deadline, after which the remaining scenarios
// fail as not run.
import type { Env } from './actions.js';
import { applyAll, deleteAll, PLACEMENT, ROLES } from './deploy.js';
import { type DropCounts, readDrops, unexpectedGrowth } from './drops.js';
import { type External, startExternal } from './external.js';
import { type Result, resultLines, summaryLines } from './report.js';
import { type RunScenario, SCENARIOS, type Scenario } from './scenarios.js';
import { listPods, waitReady } from './state.js';

export interface ConnectivityOptions {
  namespace: string;
  /** Only scenarios whose name matches (the drop check runs always). */
  test?: RegExp;
  /** Replicas of each echo Deployment; 0 shows how the service scenarios fail without backends. */
  echoReplicas: number;
  /** How long to wait for the pods and services to be ready. */
  waitTimeoutS: number;
  /** The whole run, cleanup excluded. */
  deadlineS: number;
  say: (line: string) => void;
}

const NODES = ['server', 'node-0', 'node-1'];
const CLEANUP_S = 30;

async function runOne(s: Scenario, env: Env, ext: External, deadline: number): Promise<Result> {
  if (s.skip) return { name: s.name, status: 'skipped', steps: [], skipReason: s.skip };
  if (Date.now() > deadline)
    return {
      name: s.name,
      status: 'failed',
      steps: [{ desc: 'not run', outcome: { ok: false, shown: '', detail: 'the overall deadline passed' } }],
    };
  try {
    const steps = await (s.run as RunScenario)(env, ext);
    return { name: s.name, status: steps.every((st) => st.outcome.ok) ? 'passed' : 'failed', steps };
  } catch (e) {
    return {
      name: s.name,
      status: 'failed',
      steps: [{ desc: 'run', outcome: { ok: false, shown: '', detail: (e as Error).message } }],
    };
  }
}

async function dropCheck(before: DropCounts[]): Promise<Result> {
  const after = await Promise.all(NODES.map(readDrops));
  const steps = NODES.map((node, i) => {
    const grew = unexpectedGrowth(node, before[i] as DropCounts, after[i] as DropCounts);
    return {
      desc: `${node}: no unexpected drop reason grew in waggle_metrics`,
      outcome: {
        ok: grew.length === 0,
        shown: `waggle bpf metrics list --node ${node}`,
        detail: grew.join('; '),
      },
    };
  });
  return {
    name: 'no-unexpected-packet-drops',
    status: steps.every((s) => s.outcome.ok) ? 'passed' : 'failed',
    steps,
  };
}

/** Deletes the test's objects and waits (bounded) until no pod of the namespace is left. */
async function cleanup(o: ConnectivityOptions, ext: () => External | undefined): Promise<boolean> {
  ext()?.stop();
  const del = await deleteAll(o.namespace, CLEANUP_S);
  const until = Date.now() + CLEANUP_S * 1000;
  let left: string[] = [];
  for (let i = 0; i < 200; i++) {
    left = await listPods(o.namespace).catch(() => ['<cannot list pods>']);
    if (left.length === 0 || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (left.length === 0) {
    o.say(`🧹 Removed the test's Deployments, Services and pods from namespace ${o.namespace}`);
    return true;
  }
  o.say(`⚠️  Cleanup: still in namespace ${o.namespace} after ${CLEANUP_S} s: ${left.join(', ')}`);
  if (del.code !== 0) o.say(`   ${del.shown}: ${del.stderr.trim()}`);
  return false;
}

export async function runConnectivityTest(o: ConnectivityOptions): Promise<number> {
  const t0 = Date.now();
  const deadline = t0 + o.deadlineS * 1000;
  let ext: External | undefined;
  let cleaning: Promise<boolean> | undefined;
  const clean = () => {
    cleaning ??= cleanup(o, () => ext);
    return cleaning;
  };
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = true;
    o.say(`\n🛑 ${sig}: removing what the test deployed`);
    void clean().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const placed = ROLES.map((r) => `${r} on ${PLACEMENT[r]}`).join(', ');
    o.say(`ℹ️  Deploying into namespace ${o.namespace}: ${placed} (echo replicas: ${o.echoReplicas})`);
    const before = await Promise.all(NODES.map(readDrops));
    const applied = await applyAll(o.namespace, o.echoReplicas);
    if (applied.code !== 0) throw new Error(`${applied.shown}: ${applied.stderr.trim()}`);
    const [env, external] = await Promise.all([
      waitReady(o.namespace, o.echoReplicas, Math.min(deadline, Date.now() + o.waitTimeoutS * 1000)),
      startExternal(),
    ]);
    ext = external;
    const ready = ROLES.filter((r) => env.pods[r]).map((r) => `${r} ${env.pods[r]?.ip}`);
    o.say(`⌛ Ready after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${ready.join(', ') || 'no pod'}`);
    for (const r of ROLES) if (env.missing[r]) o.say(`⚠️  ${r}: ${env.missing[r]}`);
    const chosen = SCENARIOS.filter((s) => !o.test || o.test.test(s.name));
    const skipped = chosen.filter((s) => s.skip).length;
    o.say(`🏃 Running ${chosen.length - skipped + 1} tests (${skipped} skipped)`);
    const results: Result[] = [];
    for (const s of chosen) {
      if (interrupted) return await new Promise<number>(() => {}); // the signal handler exits
      const r = await runOne(s, env, ext, deadline);
      results.push(r);
      for (const l of resultLines(r)) o.say(l);
    }
    const drops = await dropCheck(before);
    results.push(drops);
    for (const l of resultLines(drops)) o.say(l);
    for (const l of summaryLines(results, Date.now() - t0)) o.say(l);
    const cleaned = await clean();
    return results.some((r) => r.status === 'failed') || !cleaned ? 1 : 0;
  } catch (e) {
    o.say(`❌ ${(e as Error).message}`);
    await clean();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Failover of one L2-announced VIP in the lab, at Cilium's default lease timings and at waggle's
// fastest safe settings, side by side in one run. Per case (holder agent SIGKILL, holder node
// isolated, holder agent SIGTERM) N trials; from the jumpbox's capture (arping every 20 ms):
// last answer from the old holder → first answer from the new one, p50/p99/max, and when the
// ARP caches of the jumpbox and of a bystander (server, which only hears broadcasts) point at the
// new MAC. Before calling the fast settings safe, a quiet 60 s run must show no lease moves.
// Run as root: node dist/bench/failover.js [--full] [--trials N] [--only default|fast]
import { parseDuration } from '../src/l2announcer/timings.js';
import { ArpCapture, startArping, startNeighMonitor } from './lib/capture.js';
import {
  CASE_LABEL,
  type FaultCase,
  runTrial,
  type TrialEnv,
  type TrialResult,
} from './lib/failover-trial.js';
import {
  CILIUM_DEFAULT,
  componentPid,
  freshLab,
  inHost,
  restart,
  WORKERS,
  hostOfMac,
  labStore,
  resetLab,
  sleep,
  type Timings,
  timingFlags,
  WAGGLE_FAST,
} from './lib/lab.js';
import { ms, numberFlag, printTable, runBench, runMode, summarize, writeResult } from './lib/report.js';
import { seedVip } from './lib/scenario.js';
import { errorMessage } from '../src/lib/errors.js';

const CASES: FaultCase[] = ['sigkill', 'isolate', 'sigterm'];
const QUIET_MS = 60_000;

async function quietRun(store: ReturnType<typeof labStore>, lease: string, ip: string) {
  const before = (await store.get('Lease', lease, 'kube-system')).spec?.leaseTransitions ?? 0;
  const cap = await ArpCapture.start('jumpbox', 'eth1', QUIET_MS + 20_000);
  const arping = startArping('jumpbox', 'eth1', ip, 0.02, QUIET_MS / 1000 + 5);
  try {
    await sleep(QUIET_MS);
  } finally {
    await arping.stop();
    await cap.stop();
  }
  const after = (await store.get('Lease', lease, 'kube-system')).spec?.leaseTransitions ?? 0;
  const replies = cap.replies(ip).filter((p) => p.dst !== 'ff:ff:ff:ff:ff:ff');
  let macChanges = 0;
  for (let i = 1; i < replies.length; i++) if (replies[i]?.src !== replies[i - 1]?.src) macChanges++;
  const requests = cap.packets().filter((p) => p.op === 'request' && p.ip === ip).length;
  return {
    seconds: QUIET_MS / 1000,
    leaseTransitions: after - before,
    macChanges,
    requests,
    replies: replies.length,
    answerers: [...new Set(replies.map((r) => hostOfMac(r.src)))],
  };
}

async function profileRun(t: Timings, trials: number, say: (s: string) => void) {
  say(`== ${t.name}: lease ${t.lease}, renew ${t.renew}, retry ${t.retry}, liveness ${t.liveness}`);
  await freshLab(timingFlags(t));
  const store = labStore();
  try {
    const vip = await seedVip(store);
    say(`   ${vip.service} ${vip.ip} held by ${vip.holder}`);
    const quiet = t === WAGGLE_FAST ? await quietRun(store, vip.lease, vip.ip) : undefined;
    if (quiet)
      say(
        `   quiet ${quiet.seconds} s: ${quiet.leaseTransitions} lease moves, ${quiet.macChanges} MAC changes`,
      );
    const leaseMs = parseDuration(t.lease);
    const runMs = 3_600_000;
    const capture = await ArpCapture.start('jumpbox', 'eth1', runMs);
    const neighJumpbox = startNeighMonitor('jumpbox', runMs);
    const neighServer = startNeighMonitor('server', runMs);
    const arping = startArping('jumpbox', 'eth1', vip.ip, 0.02, runMs / 1000);
    const results: Record<string, TrialResult[]> = {};
    const errors: string[] = [];
    try {
      await sleep(500);
      for (const c of CASES) {
        results[c] = [];
        for (let i = 0; i < trials; i++) {
          const r = await runTrialOrRepair(
            {
              store,
              lease: vip.lease,
              service: vip.service,
              vip: vip.ip,
              capture,
              neighJumpbox,
              neighServer,
              takeoverTimeoutMs: 3 * leaseMs + 15_000,
              livenessIntervalMs: parseDuration(t.liveness),
            },
            c,
            errors,
          );
          if (!r) break;
          results[c]?.push(r);
          say(`   ${c} #${i + 1}: ${r.from}→${r.to} gap ${ms(r.gapMs)}, fault→new ${ms(r.faultToNewMs)}`);
          neighJumpbox.lines.splice(0);
          neighServer.lines.splice(0);
        }
      }
    } finally {
      await arping.stop();
      await Promise.all([capture.stop(), neighJumpbox.stop(), neighServer.stop()]);
    }
    return { timings: t, quiet, results, errors };
  } finally {
    await store.close();
  }
}

/** A failed trial is reported, the lab repaired (links up, agents running), and the case ends. */
async function runTrialOrRepair(
  env: TrialEnv,
  c: FaultCase,
  errors: string[],
): Promise<TrialResult | undefined> {
  try {
    return await runTrial(env, c);
  } catch (err) {
    errors.push(`${c}: ${errorMessage(err)}`);
    process.stdout.write(`   ${c}: trial failed, case ended: ${errors.at(-1)}\n`);
    for (const h of WORKERS) {
      inHost(h, ['ip', 'link', 'set', 'eth1', 'up']);
      if (componentPid('agent', h) === undefined) await restart('agent', h);
    }
    await sleep(5000);
    return undefined;
  }
}

const nums = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);

async function main() {
  const { full } = runMode();
  const trials = numberFlag('--trials', full ? 20 : 3);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const profiles = [CILIUM_DEFAULT, WAGGLE_FAST].filter(
    (p) => only === undefined || (only === 'fast') === (p === WAGGLE_FAST),
  );
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const runs = [];
  const profileErrors: string[] = [];
  try {
    for (const p of profiles) {
      try {
        runs.push(await profileRun(p, trials, say));
      } catch (err) {
        // One profile failing (e.g. the lab did not come up) must not lose the other's figures.
        profileErrors.push(`${p.name}: ${errorMessage(err)}`);
        say(`profile failed: ${profileErrors.at(-1)}`);
      }
    }
  } finally {
    await resetLab();
  }
  const rows: Array<Array<string | number>> = [
    [
      'timings',
      'case',
      'n',
      'gap p50',
      'gap p99',
      'gap max',
      'fault→new p50',
      'old answered p50',
      'lost req p50',
      'GARP p50',
      'jumpbox cache p50',
      'server cache p50/n',
      'stale after restore',
    ],
  ];
  const summary = [];
  for (const run of runs) {
    for (const c of CASES) {
      const rs = run.results[c] ?? [];
      const s = {
        timings: run.timings.name,
        case: c,
        gapMs: summarize(rs.map((r) => r.gapMs)),
        faultToNewMs: summarize(rs.map((r) => r.faultToNewMs)),
        oldAnsweredForMs: summarize(rs.map((r) => r.oldAnsweredForMs)),
        unansweredRequests: summarize(rs.map((r) => r.unansweredRequests)),
        garpAfterFaultMs: summarize(nums(rs.map((r) => r.garpAfterFaultMs))),
        jumpboxCacheAfterFaultMs: summarize(nums(rs.map((r) => r.jumpboxCacheAfterFaultMs))),
        serverCacheAfterFaultMs: summarize(nums(rs.map((r) => r.serverCacheAfterFaultMs))),
        staleRepliesAfterRestore: rs.reduce((a, r) => a + r.staleRepliesAfterRestore, 0),
      };
      summary.push(s);
      rows.push([
        run.timings.name,
        CASE_LABEL[c],
        rs.length,
        ms(s.gapMs.p50),
        ms(s.gapMs.p99),
        ms(s.gapMs.max),
        ms(s.faultToNewMs.p50),
        ms(s.oldAnsweredForMs.p50),
        s.unansweredRequests.p50,
        ms(s.garpAfterFaultMs.p50),
        ms(s.jumpboxCacheAfterFaultMs.p50),
        `${ms(s.serverCacheAfterFaultMs.p50)}/${s.serverCacheAfterFaultMs.n}`,
        s.staleRepliesAfterRestore,
      ]);
    }
  }
  printTable(`failover, ${trials} trials per case, arping every 20 ms from the jumpbox`, rows);
  for (const run of runs)
    if (run.quiet) say(`quiet ${run.quiet.seconds} s at ${run.timings.name}: ${JSON.stringify(run.quiet)}`);
  writeResult('failover', { trialsPerCase: trials, summary, runs, profileErrors });
  if (runs.length === 0) throw new Error(profileErrors.join('; '));
}

runBench('failover', main);

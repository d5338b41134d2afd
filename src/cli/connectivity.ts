// `waggle connectivity test`, as `cilium connectivity test`: deploys its own client and echo pods,
// runs the scenarios that apply to the lab and exits non-zero on any failure. It reaches pods
// through the lab kubelets' runtime layout (as `waggle exec`), so it is lab-side.
import { type Command, CommanderError } from 'commander';
import { runConnectivityTest } from '../lab/connectivity/run.js';
import { parseCount, parseDuration } from './duration-arg.js';

interface Flags {
  test?: string;
  namespace: string;
  echoReplicas: string;
  waitTimeout: string;
  timeout: string;
}

export function registerConnectivity(program: Command): void {
  const conn = program
    .command('connectivity')
    .description('check that the lab cluster connects pods, services and hosts');
  conn
    .command('test')
    .description(
      'deploy test pods in a namespace of their own, run the connectivity scenarios, remove the pods',
    )
    .option('--test <regex>', 'run only the scenarios whose name matches')
    .option('--namespace <ns>', "the test's own namespace", 'waggle-test')
    .option('--echo-replicas <n>', 'replicas of each echo Deployment (0: services without backends)', '1')
    .option('--wait-timeout <duration>', 'how long to wait for the test pods to be ready', '60s')
    .option('--timeout <duration>', 'the whole run, cleanup excluded', '150s')
    .action(async (f: Flags) => {
      let test: RegExp | undefined;
      try {
        test = f.test === undefined ? undefined : new RegExp(f.test);
      } catch (e) {
        throw new Error(`--test "${f.test}": ${(e as Error).message}`);
      }
      const code = await runConnectivityTest({
        namespace: f.namespace,
        ...(test ? { test } : {}),
        echoReplicas: parseCount('--echo-replicas', f.echoReplicas),
        waitTimeoutS: parseDuration('--wait-timeout', f.waitTimeout) / 1000,
        deadlineS: parseDuration('--timeout', f.timeout) / 1000,
        say: (line) => process.stdout.write(`${line}\n`),
      });
      if (code !== 0) throw new CommanderError(code, 'connectivity.test', '');
    });
}

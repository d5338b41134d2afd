// waggle's command line. Each command family lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';
import { oneLine } from '../bpf/errors.js';
import { registerAgent } from './agent.js';
import { registerBpf } from './bpf.js';
import { registerCni } from './cni.js';
import { registerL2 } from './l2.js';
import { registerDatapathDemo } from './demo.js';
import { registerLab } from './lab.js';
import { registerMap } from './map.js';
import { registerMonitor } from './monitor.js';
import { registerOperator } from './operator.js';
import { registerPreflight } from './preflight.js';
import { registerApply } from './apply.js';
import { registerDelete } from './delete.js';
import { registerGet } from './get.js';
import { registerStatus } from './status.js';
import { registerService } from './service.js';
import { registerEndpoint } from './endpoint.js';
import { registerConnectivity } from './connectivity.js';
import { registerExec } from './exec.js';
import { registerHealth } from './health.js';
import { registerCreate } from './create.js';
import { registerPatch } from './patch.js';
import { registerRollout } from './rollout.js';
import { registerScale } from './scale.js';

export function buildProgram(): Command {
  const program = new Command('waggle')
    .description('eBPF L2 announcements and LB-IPAM for bare-metal clusters')
    .option('--store <url>', 'store to use, e.g. etcd://127.0.0.1:2379 (env WAGGLE_STORE)')
    .showHelpAfterError()
    .exitOverride();
  registerPreflight(program);
  registerApply(program);
  registerGet(program);
  registerDelete(program);
  registerCreate(program);
  registerPatch(program);
  registerScale(program);
  registerRollout(program);
  registerLab(program);
  registerDatapathDemo(program);
  registerAgent(program);
  registerStatus(program);
  registerService(program);
  registerEndpoint(program);
  registerExec(program);
  registerConnectivity(program);
  registerMap(program);
  registerBpf(program);
  registerL2(program);
  registerMonitor(program);
  registerOperator(program);
  registerCni(program);
  registerHealth(program);
  return program;
}

/** Runs the CLI and returns the exit code. Errors are one line for the user, never a stack. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`waggle: ${oneLine(err)}\n`);
    return 1;
  }
}

// waggle's command line. Each command family lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';
import { oneLine } from '../bpf/errors.js';
import { registerPreflight } from './preflight.js';

export function buildProgram(): Command {
  const program = new Command('waggle')
    .description('eBPF L2 announcements and LB-IPAM for bare-metal clusters')
    .option('--store <url>', 'store to use, e.g. etcd://127.0.0.1:2379 (env WAGGLE_STORE)')
    .showHelpAfterError()
    .exitOverride();
  registerPreflight(program);
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

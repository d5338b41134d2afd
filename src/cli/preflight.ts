// `waggle preflight`: checks this host before an agent runs on it. Every check runs (the load is
// attempted even without privileges, so the kernel's own answer is shown); the command exits 1
// with the first failed required check as its one-line error.
import type { Command } from 'commander';
import { oneLine } from '../bpf/errors.js';
import {
  type CheckResult,
  checkBpffs,
  checkBtf,
  checkKernel,
  checkLoad,
  checkPrivileges,
} from '../preflight/checks.js';

export function registerPreflight(program: Command): void {
  program
    .command('preflight')
    .description('check that this host can load and attach the waggle datapath')
    .option('--bpffs <dir>', 'where pinned maps will live', '/sys/fs/bpf')
    .option('--object <path>', 'compiled datapath to test-load', 'build/bpf/bpf_host.o')
    .action((opts: { bpffs: string; object: string }) => {
      const results: CheckResult[] = [checkKernel(), checkBtf(), checkPrivileges(), checkBpffs(opts.bpffs)];
      try {
        results.push(checkLoad(opts.object));
      } catch (err) {
        results.push({ name: 'load', ok: false, required: true, detail: oneLine(err) });
      }
      for (const r of results) {
        process.stdout.write(
          `${r.ok ? 'ok  ' : r.required ? 'FAIL' : 'warn'} ${r.name.padEnd(12)} ${r.detail}\n`,
        );
      }
      const failed = results.find((r) => r.required && !r.ok);
      if (failed) throw new Error(`preflight: ${failed.name}: ${failed.detail}`);
    });
}

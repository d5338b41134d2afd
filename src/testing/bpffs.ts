// A private bpffs for a test: mounted on a fresh directory under /run, so test pins never meet
// a running agent's (or the host's /sys/fs/bpf), and removed with everything in it afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { sh } from './exec.js';

export interface TempBpffs {
  dir: string;
  cleanup(): void;
}

export function tempBpffs(): TempBpffs {
  const dir = mkdtempSync('/run/waggle-test-bpffs-');
  sh('mount', ['-t', 'bpf', 'bpf', dir]);
  return {
    dir,
    cleanup() {
      sh('umount', [dir], { allowFail: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Running real tools (ip, tc, bpftool, arping, tcpdump) from tests and the lab, with a timeout
// on every call so that nothing hangs a suite.
import { execFile, spawnSync } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command synchronously; throws with its stderr when it fails (unless allowFail). */
export function sh(
  cmd: string,
  args: string[],
  opts: { allowFail?: boolean; timeoutMs?: number; input?: string; cwd?: string } = {},
): RunResult {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  const out = { code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
  if (res.error) out.stderr += String(res.error);
  if (out.code !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${out.code}: ${out.stderr.trim() || out.stdout.trim()}`);
  }
  return out;
}

/** Asynchronous variant, for tools that run while the test does other things (e.g. arping). */
export function shAsync(cmd: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// How the connectivity test runs things: a command inside a test pod (as `waggle exec`), inside a
// lab host (as `waggle lab exec`), or a waggle store command. Every call has a timeout that kills
// only the child it started; the result keeps the command line a user would type to repeat it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExecError, run } from '../../lib/exec.js';
import { inCgroupArgv, nodeCgroup } from '../kubelet/cgroup.js';
import { findPod } from '../kubelet/exec.js';
import { inSandboxArgv } from '../kubelet/sandbox.js';
import { KUBELET_DIR, WAGGLE_BIN } from '../paths.js';
import { hostByName } from '../topology.js';

export interface Ran {
  /** The exit code; 124 (as timeout(1) says) when the call was killed for taking too long. */
  code: number;
  stdout: string;
  stderr: string;
  /** The equivalent command for a user, e.g. `waggle exec -n waggle-test client-… -- curl …`. */
  shown: string;
}

async function bounded(argv: string[], shown: string, timeoutMs: number, input?: string): Promise<Ran> {
  try {
    const r = await run(argv[0] as string, argv.slice(1), {
      timeoutMs,
      allowFail: true,
      ...(input === undefined ? {} : { input }),
    });
    return { ...r, shown };
  } catch (e) {
    const timedOut = e instanceof ExecError && e.code === 'ETIMEDOUT';
    return {
      code: timedOut ? 124 : 127,
      stdout: '',
      stderr: timedOut ? `timed out after ${timeoutMs} ms` : String(e instanceof Error ? e.message : e),
      shown,
    };
  }
}

/** `waggle ARGS…` (store commands: apply, get, delete), as a separate process. */
export function waggle(args: string[], timeoutMs: number, input?: string): Promise<Ran> {
  return bounded([process.execPath, WAGGLE_BIN, ...args], `waggle ${args.join(' ')}`, timeoutMs, input);
}

/** argv in the pod's network and UTS namespaces and its cgroup, as `waggle exec` runs it. */
export function inPod(namespace: string, pod: string, argv: string[], timeoutMs: number): Promise<Ran> {
  const shown = `waggle exec -n ${namespace} ${pod} -- ${argv.join(' ')}`;
  let full: string[];
  try {
    const { rec } = findPod({ namespace, pod, rootBase: KUBELET_DIR });
    full = inCgroupArgv(rec.cgroup, inSandboxArgv(rec, argv));
  } catch (e) {
    return Promise.resolve({ code: 1, stdout: '', stderr: (e as Error).message, shown });
  }
  return bounded(full, shown, timeoutMs);
}

/** argv on a lab host, in the node's cgroup subtree as `waggle lab exec` runs it (socket LB applies). */
export function inHost(host: string, argv: string[], timeoutMs: number): Promise<Ran> {
  const h = hostByName(host);
  const cg = join(nodeCgroup(h.name), 'exec');
  mkdirSync(cg, { recursive: true });
  const full = inCgroupArgv(cg, ['ip', 'netns', 'exec', h.netns, ...argv]);
  return bounded(full, `waggle lab exec ${host} -- ${argv.join(' ')}`, timeoutMs);
}

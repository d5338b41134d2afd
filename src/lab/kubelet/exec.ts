// `waggle exec` and `waggle logs` on the lab's runtime layout: the pod is found by namespace and
// name in the kubelet records on this machine (as kubectl exec reaches the pod's kubelet), and
// the command joins the pod's network and UTS namespaces and its cgroup — a container's view.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, watch } from 'node:fs';
import { inCgroupArgv } from './cgroup.js';
import { containerLog, loadAllRecords, type PodRecord } from './record.js';
import { inSandboxArgv } from './sandbox.js';

export interface PodRef {
  namespace: string;
  pod: string;
  container?: string;
  /** The kubelet root base holding <node>/pods/<uid>/pod.json. */
  rootBase: string;
}

export function findPod(ref: PodRef): { nodeRoot: string; rec: PodRecord; container: string } {
  const all = loadAllRecords(ref.rootBase);
  const hit = all.find((r) => r.rec.namespace === ref.namespace && r.rec.name === ref.pod);
  if (!hit)
    throw new Error(
      `pods "${ref.pod}" not found in namespace "${ref.namespace}" on this machine's lab kubelets (${ref.rootBase})`,
    );
  const names = Object.keys(hit.rec.containers);
  const container = ref.container ?? names[0];
  if (!container || !names.includes(container))
    throw new Error(
      `pod "${ref.pod}": container "${ref.container}" not found (containers: ${names.join(', ')})`,
    );
  return { ...hit, container };
}

/** Runs argv in the pod; resolves with its exit code (128+N for a signal, as a shell reports it). */
export function execInPod(ref: PodRef, argv: string[], interactive: boolean): Promise<number> {
  if (argv.length === 0) throw new Error('exec: no command given (usage: waggle exec POD -- CMD…)');
  const { rec } = findPod(ref);
  const full = inCgroupArgv(rec.cgroup, inSandboxArgv(rec, argv));
  return new Promise((resolve, reject) => {
    const child = spawn(full[0] as string, full.slice(1), {
      stdio: [interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'],
    });
    child.on('error', (err) => reject(new Error(`exec in pod "${ref.pod}": ${err.message}`)));
    child.on('close', (code, sig) => resolve(code ?? 128 + (sig ? signalNumber(sig) : 1)));
  });
}

function signalNumber(sig: NodeJS.Signals): number {
  const n: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return n[sig] ?? 1;
}

export function logPath(ref: PodRef): string {
  const { nodeRoot, rec, container } = findPod(ref);
  return containerLog(nodeRoot, rec.uid, container);
}

/** The last `n` lines of `text` (all of it for n < 0), as `kubectl logs --tail`. */
export function lastLines(text: string, n: number): string {
  if (n < 0) return text;
  if (n === 0) return '';
  const lines = text.split('\n');
  const trailing = lines.at(-1) === '' ? 1 : 0;
  return lines.slice(Math.max(0, lines.length - trailing - n)).join('\n');
}

/** Prints the container's log (its last `tail` lines; -1 all); with follow, keeps printing what
 * is appended until interrupted. */
export async function printLogs(
  ref: PodRef,
  follow: boolean,
  out: (s: string) => void,
  tail = -1,
): Promise<void> {
  const file = logPath(ref);
  if (!existsSync(file)) return;
  let offset = 0;
  if (tail >= 0) {
    // Only the end is read: a busy server's log can be far larger than what is asked for.
    const size = statSync(file).size;
    const from = Math.max(0, size - 64 * 1024 * Math.max(1, tail));
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(size - from);
    readSync(fd, buf, 0, buf.length, from);
    closeSync(fd);
    out(lastLines(buf.toString('utf8'), tail));
    offset = size;
  }
  const drain = () => {
    const size = statSync(file).size;
    if (size <= offset) return;
    const buf = readFileSync(file).subarray(offset, size);
    offset = size;
    out(buf.toString('utf8'));
  };
  drain();
  if (!follow) return;
  await new Promise<void>((resolve) => {
    const w = watch(file, () => {
      try {
        drain();
      } catch {
        w.close();
        resolve();
      }
    });
    // The file goes with the pod; stop following then.
    const t = setInterval(() => {
      if (!existsSync(file)) {
        clearInterval(t);
        w.close();
        resolve();
      } else drain();
    }, 1000);
  });
}

// How the lab kubelet stops a container, in the kubelet's order (pkg/kubelet/kuberuntime/
// kuberuntime_container.go, killContainer): the preStop hook first, inside the grace period; then
// the image's stop signal; then SIGKILL once the grace period is over. The hook is what lets a
// Deployment's old pod keep serving while every node's service datapath drops it from its
// Service: the EndpointSlice says "terminating" as soon as the Pod is deleted, the hook delays the
// signal, and only then does the server stop accepting connections.
import { spawn } from 'node:child_process';
import type { Container, LifecycleHandler } from '../../api/index.js';
import { inCgroupArgv } from './cgroup.js';
import { findLabImage } from './images.js';
import { probeArgv } from './probe-run.js';
import { inSandboxArgv, type SandboxPaths } from './sandbox.js';

/** The kubelet gives a container at least this long after its signal (minimumGracePeriodInSeconds). */
export const MIN_SIGNAL_GRACE_S = 2;

/** The signal that stops a container of `image`: its image's STOPSIGNAL, SIGTERM by default. */
export function stopSignalOf(image: string): NodeJS.Signals {
  return findLabImage(image)?.stopSignal ?? 'SIGTERM';
}

/** A one-line account of the hook, for the kubelet's log. */
export function describeHook(h: LifecycleHandler): string {
  if (h.sleep) return `sleep ${h.sleep.seconds}s`;
  if (h.exec) return `exec ${JSON.stringify(h.exec.command)}`;
  return `httpGet ${h.httpGet?.path ?? '/'} port ${h.httpGet?.port}`;
}

/** The argv that runs an exec or httpGet hook in the container's view; undefined for sleep or an
 * httpGet whose named port does not resolve. The budget bounds the hook (the grace period). */
export function hookArgv(
  c: Container,
  h: LifecycleHandler,
  sb: SandboxPaths,
  podIP: string,
  budgetS: number,
): string[] | undefined {
  const secs = Math.max(1, Math.ceil(budgetS));
  if (h.exec) return inCgroupArgv(sb.cgroup, inSandboxArgv(sb, ['timeout', String(secs), ...h.exec.command]));
  if (h.httpGet) {
    const probe = {
      httpGet: h.httpGet,
      timeoutSeconds: secs,
      initialDelaySeconds: 0,
      periodSeconds: 1,
      successThreshold: 1,
      failureThreshold: 1,
    };
    return probeArgv(c, probe, sb, podIP);
  }
  return undefined;
}

/** Runs the container's preStop hook within budgetMs; resolves with what happened. Never throws. */
export function runPreStop(
  c: Container,
  h: LifecycleHandler,
  sb: SandboxPaths,
  podIP: string,
  budgetMs: number,
): Promise<string> {
  if (h.sleep) {
    const ms = Math.min(h.sleep.seconds * 1000, budgetMs);
    return new Promise((r) => setTimeout(() => r(`slept ${ms} ms`), ms));
  }
  const argv = hookArgv(c, h, sb, podIP, budgetMs / 1000);
  if (!argv) return Promise.resolve('not run: its port names no container port');
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), budgetMs + 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(`failed: ${err.message}`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? 'done' : `exited ${code}`);
    });
  });
}

// One step of one container's life, level-triggered: notice that it exited (from the shim's
// exit file, or its pid gone), decide on a restart per restartPolicy and back-off, and start it
// when it should run and does not. Returns whether the record changed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../../api/index.js';
import { type BackoffPolicy, backoffMessage, restartDelayMs, shouldRestart } from './backoff.js';
import { isAlive, readExit, startContainer } from './container.js';
import { resolveImage } from './images.js';
import { nginxConfig } from './nginx-conf.js';
import { type ContainerRecord, containerDir, containerLog, type PodRecord } from './record.js';
import { sandboxPaths } from './sandbox.js';

export interface ContainerEnv {
  nodeRoot: string;
  nodePath: string;
  whoamiPath: string;
  backoff: BackoffPolicy;
  log: (line: string) => void;
}

export function newContainerRecord(c: Container): ContainerRecord {
  return { name: c.name, image: c.image, restartCount: 0, crashStreak: 0 };
}

/** Records the exit of a container that is no longer running; true when it had been running. */
export function noticeExit(
  pod: Pod,
  cr: ContainerRecord,
  dir: string,
  env: ContainerEnv,
  now: number,
): boolean {
  if (cr.pid === undefined || cr.terminated) return false;
  const code = readExit(dir);
  if (code === undefined && isAlive(cr.pid, cr.pidStart)) return false;
  const started = cr.startedAt ?? new Date(now).toISOString();
  const ranMs = now - Date.parse(started);
  cr.terminated = {
    exitCode: code ?? 137,
    reason: (code ?? 137) === 0 ? 'Completed' : 'Error',
    startedAt: started,
    finishedAt: new Date(now).toISOString(),
    ...(code === undefined ? { message: 'the container and its shim are gone; exit status unknown' } : {}),
  };
  delete cr.pid;
  delete cr.pidStart;
  cr.crashStreak = ranMs >= env.backoff.resetAfterMs ? 1 : cr.crashStreak + 1;
  const { name, namespace = 'default', uid = '' } = pod.metadata;
  if (shouldRestart(pod.spec.restartPolicy, cr.terminated.exitCode)) {
    const delay = restartDelayMs(cr.crashStreak, ranMs, env.backoff);
    cr.nextStartAt = now + delay;
    if (delay > 0)
      cr.waiting = {
        reason: 'CrashLoopBackOff',
        message: backoffMessage(delay, cr.name, name, namespace, uid),
      };
  } else delete cr.nextStartAt;
  env.log(
    `pod ${namespace}/${name}: container ${cr.name} exited ${cr.terminated.exitCode} after ${ranMs} ms`,
  );
  return true;
}

/** Starts the container if it should run now; true when the record changed. */
export async function maybeStart(
  c: Container,
  rec: PodRecord,
  env: ContainerEnv,
  now: number,
): Promise<boolean> {
  const cr = rec.containers[c.name] as ContainerRecord;
  if (cr.pid !== undefined && !cr.terminated) return false;
  if (cr.terminated && cr.nextStartAt === undefined) return false; // done for good (restartPolicy)
  if (cr.nextStartAt !== undefined && now < cr.nextStartAt) return false;
  const dir = containerDir(env.nodeRoot, rec.uid, c.name);
  const resolved = resolveImage(c, { nodePath: env.nodePath, whoamiPath: env.whoamiPath, containerDir: dir });
  const ref = `pod ${rec.namespace}/${rec.name}: container ${c.name}`;
  if (!resolved.ok) {
    const changed = cr.waiting?.message !== resolved.message;
    cr.waiting = { reason: resolved.reason, message: resolved.message };
    if (changed) env.log(`${ref}: ${resolved.message}`);
    return changed;
  }
  const { launch } = resolved;
  try {
    if (launch.image.kind === 'nginx') {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, launch.port));
    }
    const proc = await startContainer({
      sandbox: sandboxPaths(join(env.nodeRoot, 'pods', rec.uid), rec.cgroup),
      dir,
      log: containerLog(env.nodeRoot, rec.uid, c.name),
      argv: launch.argv,
      env: launch.env,
      ...(c.workingDir ? { cwd: c.workingDir } : {}),
    });
    if (cr.terminated) {
      cr.last = cr.terminated;
      cr.restartCount++;
    }
    delete cr.terminated;
    delete cr.waiting;
    delete cr.nextStartAt;
    cr.pid = proc.pid;
    cr.pidStart = proc.pidStart;
    cr.startedAt = new Date(now).toISOString();
    env.log(
      `${ref}: image ${c.image} runs ${launch.image.runs}: ${launch.argv.join(' ')} (pid ${proc.pid}${cr.restartCount ? `, restart ${cr.restartCount}` : ''})`,
    );
  } catch (err) {
    cr.waiting = { reason: 'RunContainerError', message: `${ref}: ${(err as Error).message}` };
    cr.nextStartAt = now + Math.max(1000, env.backoff.initialMs);
    env.log(cr.waiting.message ?? '');
  }
  return true;
}

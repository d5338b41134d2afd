// `waggle rollout status deploy/NAME [--timeout 60s]` prints kubectl's progress lines (each new one
// once) until the rollout is done; `waggle rollout restart deploy/NAME` stamps the pod template
// with kubectl.kubernetes.io/restartedAt so the Deployment controller rolls every pod
// (kubectl/pkg/polymorphichelpers/objectrestarter.go).
import type { Command } from 'commander';
import { type Deployment, rfc3339Seconds } from '../api/index.js';
import { ConflictError, type Store } from '../store/index.js';
import { parseDuration, waitUntil } from './duration-arg.js';
import { deploymentRolloutStatus } from './rollout-status.js';
import { withCliStore } from './store-url.js';
import { workloadArg } from './workload-arg.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const retries = 5;

async function watchStatus(store: Store, name: string, namespace: string, timeoutMs: number): Promise<void> {
  let last = '';
  let error = '';
  const done = await waitUntil(
    async () => {
      const status = deploymentRolloutStatus(await store.get('Deployment', name, namespace));
      if ('error' in status) {
        error = status.error;
        return true;
      }
      if (status.message !== last) process.stdout.write(`${status.message}\n`);
      last = status.message;
      return status.done;
    },
    timeoutMs,
    200,
  );
  if (error) throw new Error(`rollout status: ${error}`);
  if (!done)
    throw new Error(`rollout status: timed out after ${timeoutMs / 1000}s waiting for deployment "${name}"`);
}

async function restart(store: Store, name: string, namespace: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const d = await store.get('Deployment', name, namespace);
    const template = d.spec.template;
    const annotations = { ...template.metadata.annotations, [RESTARTED_AT]: rfc3339Seconds(new Date()) };
    const next: Deployment = {
      ...d,
      spec: { ...d.spec, template: { ...template, metadata: { ...template.metadata, annotations } } },
    };
    try {
      await store.update(next);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= retries) throw err;
    }
  }
}

export function registerRollout(program: Command): void {
  const rollout = program.command('rollout').description("watch or restart a Deployment's rollout");
  rollout
    .command('status')
    .description('wait until a Deployment has rolled out, printing its progress')
    .argument('<object>', 'deploy/NAME or deployment')
    .argument('[name]', 'the name, when KIND is given alone')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--timeout <duration>', 'give up after this long (kubectl waits forever; waggle 10m)', '10m')
    .action(
      async (first: string, second: string | undefined, opts: { namespace: string; timeout: string }) => {
        const { name } = workloadArg('rollout status', first, second, ['Deployment'] as const);
        const timeoutMs = parseDuration('rollout status: --timeout', opts.timeout);
        await withCliStore(rollout, (store) => watchStatus(store, name, opts.namespace, timeoutMs));
      },
    );
  rollout
    .command('restart')
    .description('restart every pod of a Deployment with a rolling update')
    .argument('<object>', 'deploy/NAME or deployment')
    .argument('[name]', 'the name, when KIND is given alone')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (first: string, second: string | undefined, opts: { namespace: string }) => {
      const { name } = workloadArg('rollout restart', first, second, ['Deployment'] as const);
      await withCliStore(rollout, (store) => restart(store, name, opts.namespace));
      process.stdout.write(`deployment.apps/${name} restarted\n`);
    });
}

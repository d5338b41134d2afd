// Test helpers for CLI tests: run the real `waggle` binary against a store, and dump every
// etcd key and value so a test can prove a command changed nothing at all.
import { spawnSync } from 'node:child_process';
import type { Etcd3 } from 'etcd3';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function waggle(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const res = spawnSync(process.execPath, ['bin/waggle.js', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: opts.env ?? { ...process.env, WAGGLE_STORE: '' },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  return { code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

/** Every key with its value (hex) and the store revision: equal dumps mean nothing was written. */
export async function dumpEtcd(client: Etcd3): Promise<{ revision: string; kvs: Record<string, string> }> {
  const res = await client.getAll().prefix('').exec();
  const kvs: Record<string, string> = {};
  for (const kv of res.kvs) kvs[kv.key.toString('utf8')] = kv.value.toString('hex');
  return { revision: String(res.header.revision), kvs };
}

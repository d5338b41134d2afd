// A steady writer for failover tests: creates one object after another (one in flight at a
// time), calls kill() while a write is in flight once enough writes have landed, and keeps going until enough writes have
// landed after the kill. It records what was acknowledged (name → resourceVersion), which
// writes failed and with what error class, and how long after the kill the first write issued
// after it succeeded. Bounded in writes and in time.
import { service } from '../store/contract/harness.js';
import type { Store } from '../store/types.js';

export interface WriterRun {
  acknowledged: Map<string, string>;
  failures: { name: string; error: string; atMs: number }[];
  /** Kill → completion of the first successful write issued after the kill. */
  recoveryMs: number;
}

export async function runWriterThroughKill(
  store: Store,
  namespace: string,
  kill: () => Promise<void>,
  opts: { before?: number; after?: number; timeoutMs?: number } = {},
): Promise<WriterRun> {
  const { before = 10, after = 10, timeoutMs = 30_000 } = opts;
  const acknowledged = new Map<string, string>();
  const failures: WriterRun['failures'] = [];
  const deadline = Date.now() + timeoutMs;
  let killedAt: number | undefined;
  let recoveredAt: number | undefined;
  let afterKill = 0;
  let killing: Promise<void> | undefined;
  for (let i = 0; afterKill < after; i++) {
    if (Date.now() > deadline) throw new Error(`writer: ${afterKill} of ${after} writes after the kill`);
    const issuedAt = Date.now();
    const name = `w-${String(i).padStart(4, '0')}`;
    const write = store.create(service(name, {}, undefined, namespace));
    if (killedAt === undefined && acknowledged.size >= before) {
      // Killed while this write is in flight, as a crash would find it.
      killedAt = Date.now();
      killing = kill();
    }
    try {
      const written = await write;
      acknowledged.set(name, written.metadata.resourceVersion ?? '');
      if (killedAt !== undefined && issuedAt > killedAt) {
        afterKill++;
        recoveredAt ??= Date.now();
      }
    } catch (err) {
      const error = err instanceof Error ? err.constructor.name : typeof err;
      failures.push({ name, error, atMs: Date.now() - (killedAt ?? Date.now()) });
      await new Promise((r) => setTimeout(r, 50)); // a failing store is not hammered
    }
  }
  await killing;
  if (killedAt === undefined || recoveredAt === undefined) throw new Error('writer: no kill happened');
  return { acknowledged, failures, recoveryMs: recoveredAt - killedAt };
}

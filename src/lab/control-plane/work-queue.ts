// A level-triggered work queue of object keys, shaped as client-go's workqueue: a key added
// while waiting is queued once; a key added while it is being reconciled is reconciled once more
// afterwards; a failed key comes back after a per-key backoff (conflicts quickly: someone wrote
// the object meanwhile, so the next pass reads the fresh copy). A periodic resync re-adds every
// key, the safety net for anything an event did not say. One worker per queue: a controller
// never reconciles two keys at once, so it needs no locks of its own.
import { keyString, type NamespacedName } from '../../api/object-key.js';
import { ConflictError, NotFoundError } from '../../store/index.js';

export interface QueueSpec {
  /** Log prefix, e.g. "replicaset". */
  name: string;
  reconcile(key: NamespacedName): Promise<void>;
  /** Every key a resync reconciles. */
  keys(): NamespacedName[];
  resyncMs: number;
  log(line: string): void;
}

const MAX_BACKOFF_MS = 5000;

export class WorkQueue {
  readonly #spec: QueueSpec;
  readonly #queued = new Map<string, NamespacedName>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #processing: string | undefined;
  #running: Promise<void> | undefined;
  #resync: NodeJS.Timeout | undefined;
  #stopped = true;
  #idle: Array<() => void> = [];
  /** Reconciles run and failed, for tests and logs. */
  readonly counts = { reconciled: 0, failed: 0 };

  constructor(spec: QueueSpec) {
    this.#spec = spec;
  }

  start(): void {
    this.#stopped = false;
    this.resyncAll();
    this.#resync = setInterval(() => this.resyncAll(), this.#spec.resyncMs);
    this.#resync.unref();
  }

  /** Stops intake; resolves when the reconcile in flight has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#resync) clearInterval(this.#resync);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#queued.clear();
    await this.#running;
  }

  resyncAll(): void {
    for (const k of this.#spec.keys()) this.add(k);
  }

  add(key: NamespacedName): void {
    if (this.#stopped) return;
    const s = keyString(key);
    if (this.#processing === s) this.#dirty.add(s);
    else this.#queued.set(s, key);
    this.#running ??= this.#drain();
  }

  addAfter(key: NamespacedName, ms: number): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      this.add(key);
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  /** Resolves when nothing is queued or running (delayed retries do not count). */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    // Let the event that started us finish first, so a burst of events becomes one pass per key.
    await Promise.resolve();
    for (;;) {
      const next = this.#queued.entries().next();
      if (next.done || this.#stopped) break;
      const [s, key] = next.value;
      this.#queued.delete(s);
      this.#processing = s;
      try {
        await this.#spec.reconcile(key);
        this.counts.reconciled++;
        this.#failures.delete(s);
      } catch (err) {
        this.counts.failed++;
        const n = (this.#failures.get(s) ?? 0) + 1;
        this.#failures.set(s, n);
        const quiet = err instanceof ConflictError || err instanceof NotFoundError;
        if (!quiet || n > 3)
          this.#spec.log(
            `${this.#spec.name}: ${s}: ${err instanceof Error ? err.message : String(err)} (retry ${n})`,
          );
        this.addAfter(key, Math.min(MAX_BACKOFF_MS, (quiet ? 10 : 200) * 2 ** Math.min(n - 1, 9)));
      } finally {
        this.#processing = undefined;
      }
      if (this.#dirty.delete(s)) this.#queued.set(s, key);
    }
    this.#running = undefined;
    for (const fn of this.#idle.splice(0)) fn();
  }
}

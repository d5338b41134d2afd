// One leader election with client-go's semantics (tools/leaderelection, k8s.io/client-go/tools/leaderelection and Cilium's pkg/l2announcer/l2announcer.go):
// candidates poll every retryPeriod with jitter; a held lease is taken over only after it has
// not changed for leaseDuration on *our* clock since we last saw it change; the leader renews
// every retryPeriod and stops leading when no renewal succeeded within renewDeadline; on cancel
// it releases (empty holder). run() repeats forever until cancelled, as Cilium's loop does.
import type { Clock } from './clock.js';
import { type LeaseClient, type LeaseRecord, microTime, sameRecord } from './lease-client.js';
import { JITTER_FACTOR, type LeaseTimings } from './timings.js';

export interface ElectorOptions {
  client: LeaseClient;
  clock: Clock;
  name: string;
  identity: string;
  timings: LeaseTimings;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** Called on every failed store call, for logs. */
  onError?(err: unknown): void;
  random?: () => number;
}

export class LeaseElector {
  readonly name: string;
  #o: ElectorOptions;
  #observed: LeaseRecord | undefined;
  /** The store version of #observed, when we know it (after our own writes and reads). */
  #observedVersion: string | undefined;
  #observedAt = 0;
  #leading = false;
  #attempt = 0;
  #firstDone!: () => void;
  /** Settles once the first acquire attempt has finished, won or not. */
  readonly firstAttempt = new Promise<void>((resolve) => {
    this.#firstDone = resolve;
  });

  constructor(opts: ElectorOptions) {
    this.#o = opts;
    this.name = opts.name;
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** The last record seen in the store (holder, times), for status output. */
  get observed(): LeaseRecord | undefined {
    return this.#observed;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.#acquire(signal))) break;
      this.#leading = true;
      this.#o.onStartedLeading();
      await this.#renew(signal);
      this.#leading = false;
      this.#o.onStoppedLeading();
      // client-go releases whenever renewing ends (ReleaseOnCancel); after a failed renewal the
      // release usually fails too, which is harmless.
      await this.#release();
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    const { clock, timings } = this.#o;
    const random = this.#o.random ?? Math.random;
    if (signal.aborted) this.#firstDone();
    while (!signal.aborted) {
      const won = await this.#tryAcquireOrRenew(timings.renewDeadlineMs);
      this.#firstDone();
      if (won) return true;
      // wait.JitterUntil(retryPeriod, 1.2): retryPeriod + random × 1.2 × retryPeriod
      await clock.sleep(timings.retryPeriodMs * (1 + random() * JITTER_FACTOR), signal);
    }
    return false;
  }

  async #renew(signal: AbortSignal): Promise<void> {
    const { clock, timings } = this.#o;
    while (!signal.aborted) {
      const deadline = clock.now() + timings.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted) {
        renewed = await this.#tryAcquireOrRenew(deadline - clock.now());
        if (renewed || clock.now() >= deadline) break;
        await clock.sleep(Math.min(timings.retryPeriodMs, deadline - clock.now()), signal);
        if (clock.now() >= deadline) break;
      }
      if (!renewed) return;
      await clock.sleep(timings.retryPeriodMs, signal);
    }
  }

  /** One GET (+ CREATE or UPDATE); false on any failure or when someone else holds the lease. */
  async #tryAcquireOrRenew(timeoutMs: number): Promise<boolean> {
    const attempt = ++this.#attempt;
    const work = this.#tryOnce(attempt);
    const timeout = new AbortController();
    const timedOut = this.#o.clock.sleep(Math.max(1, timeoutMs), timeout.signal).then(() => false);
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      timeout.abort();
      // A late answer must not update what we believe about the record.
      if (this.#attempt === attempt) this.#attempt++;
    }
  }

  async #tryOnce(attempt: number): Promise<boolean> {
    const { client, clock, identity, timings } = this.#o;
    const current = () => this.#attempt === attempt;
    try {
      const now = clock.now();
      const fresh = (prev: LeaseRecord | undefined): LeaseRecord => ({
        holderIdentity: identity,
        leaseDurationSeconds: Math.trunc(timings.leaseDurationMs / 1000),
        acquireTime: prev && prev.holderIdentity === identity ? prev.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: prev ? prev.leaseTransitions + (prev.holderIdentity === identity ? 0 : 1) : 0,
      });
      // client-go's optimistic renewal: the holder writes on top of the version it wrote last, so
      // a renewal is one request; only when someone else wrote in between does it cost the GET.
      if (this.#leading && this.#observed?.holderIdentity === identity && this.#observedVersion) {
        const rec = fresh(this.#observed);
        try {
          const version = await client.update(this.name, rec, this.#observedVersion);
          if (!current()) return false;
          this.#observe(rec, clock.now(), version);
          return true;
        } catch {
          if (!current()) return false; // fall through to the full read-then-write below
        }
      }
      const got = await client.get(this.name);
      if (!current()) return false;
      if (!got) {
        const rec = fresh(undefined);
        const version = await client.create(this.name, rec);
        if (!current()) return false;
        this.#observe(rec, clock.now(), version);
        return true;
      }
      if (!this.#observed || !sameRecord(this.#observed, got.record))
        this.#observe(got.record, now, got.version);
      else this.#observedVersion = got.version;
      const holder = got.record.holderIdentity;
      if (holder !== '' && holder !== identity && this.#observedAt + timings.leaseDurationMs > now)
        return false;
      const rec = fresh(got.record);
      const version = await client.update(this.name, rec, got.version);
      if (!current()) return false;
      this.#observe(rec, clock.now(), version);
      return true;
    } catch (err) {
      if (current()) this.#o.onError?.(err);
      return false;
    }
  }

  #observe(rec: LeaseRecord, at: number, version: string | undefined): void {
    this.#observed = rec;
    this.#observedAt = at;
    this.#observedVersion = version;
  }

  /** ReleaseOnCancel: write an empty holder so others may take over at their next poll. */
  async #release(): Promise<void> {
    const { client, clock, identity, timings } = this.#o;
    if (this.#observed?.holderIdentity !== identity) return;
    const attempt = ++this.#attempt;
    const work = (async () => {
      const got = await client.get(this.name);
      if (!got || got.record.holderIdentity !== identity) return;
      const now = microTime(clock.now());
      const rec: LeaseRecord = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: got.record.leaseTransitions,
      };
      const version = await client.update(this.name, rec, got.version);
      if (this.#attempt === attempt) this.#observe(rec, clock.now(), version);
    })().catch((err) => this.#o.onError?.(err));
    const timeout = new AbortController();
    await Promise.race([work, clock.sleep(timings.renewDeadlineMs, timeout.signal)]);
    timeout.abort();
  }
}

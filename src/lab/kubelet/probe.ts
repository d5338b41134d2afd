// Readiness probe scheduling, as the kubelet's prober worker does it (pkg/kubelet/prober/worker.go):
// nothing before initialDelaySeconds; then one probe every periodSeconds, each given
// timeoutSeconds; the result flips to ready after successThreshold successes in a row and back
// to not ready after failureThreshold failures in a row. Until the first result a container with
// a readiness probe is not ready. Pure: the caller runs the probe and passes the clock.
import type { Probe } from '../../api/pod-spec.js';

export class ProbeTracker {
  readonly probe: Probe;
  #startedAt: number;
  #nextAt: number;
  #successes = 0;
  #failures = 0;
  #ready = false;
  #inFlight = false;

  constructor(probe: Probe, containerStartedAt: number) {
    this.probe = probe;
    this.#startedAt = containerStartedAt;
    this.#nextAt = containerStartedAt + probe.initialDelaySeconds * 1000;
  }

  get ready(): boolean {
    return this.#ready;
  }

  get timeoutMs(): number {
    return this.probe.timeoutSeconds * 1000;
  }

  /** True when a probe should start now (none running, its period reached). */
  due(now: number): boolean {
    return !this.#inFlight && now >= this.#nextAt;
  }

  /** Marks a probe as started; the next is due one period after this one began. */
  begin(now: number): void {
    this.#inFlight = true;
    this.#nextAt = Math.max(now, this.#startedAt) + this.probe.periodSeconds * 1000;
  }

  /** Records a result; returns true when readiness changed. */
  record(ok: boolean): boolean {
    this.#inFlight = false;
    const before = this.#ready;
    if (ok) {
      this.#failures = 0;
      this.#successes++;
      if (this.#successes >= this.probe.successThreshold) this.#ready = true;
    } else {
      this.#successes = 0;
      this.#failures++;
      if (this.#failures >= this.probe.failureThreshold) this.#ready = false;
    }
    return before !== this.#ready;
  }
}

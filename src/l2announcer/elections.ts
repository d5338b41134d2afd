// One elector per selected service: started when the service becomes selected, cancelled (and
// so released) when it stops being selected or the agent shuts down. Also garbage-collects
// released leases of ours every minute (Cilium's pkg/l2announcer/l2announcer.go).
import { keyString, type NamespacedName } from '../api/object-key.js';
import type { Clock } from './clock.js';
import { LeaseElector } from './elector.js';
import { LEASE_PREFIX, type LeaseClient, type LeaseRecord, leaseName } from './lease-client.js';
import type { LeaseTimings } from './timings.js';
import { errorMessage } from '../lib/errors.js';

export const LEASE_GC_INTERVAL_MS = 60_000;

interface Running {
  elector: LeaseElector;
  abort: AbortController;
  done: Promise<void>;
}

export interface ElectionsOptions {
  client: LeaseClient;
  clock: Clock;
  identity: string;
  timings: LeaseTimings;
  /** Called when this node starts or stops leading a service ("<ns>/<name>"). */
  onLeadingChanged(serviceKey: string, leading: boolean): void;
  log?(msg: string): void;
  random?: () => number;
}

export class Elections {
  #o: ElectionsOptions;
  #running = new Map<string, Running>();

  constructor(opts: ElectionsOptions) {
    this.#o = opts;
  }

  /** Services whose lease this node holds right now. */
  leading(): string[] {
    return [...this.#running].filter(([, r]) => r.elector.leading).map(([k]) => k);
  }

  isLeading(serviceKey: string): boolean {
    return this.#running.get(serviceKey)?.elector.leading ?? false;
  }

  /** Per running election: lease name, last observed record, whether we lead. */
  snapshot(): Array<{ service: string; lease: string; leading: boolean; observed: LeaseRecord | undefined }> {
    return [...this.#running].map(([service, r]) => ({
      service,
      lease: r.elector.name,
      leading: r.elector.leading,
      observed: r.elector.observed,
    }));
  }

  /** Settles when every running election has made its first attempt. */
  async firstAttempts(): Promise<void> {
    await Promise.all([...this.#running.values()].map((r) => r.elector.firstAttempt));
  }

  /** Makes the set of running elections equal to `services`. */
  async sync(services: Iterable<NamespacedName>): Promise<void> {
    const wanted = new Set<string>();
    for (const svc of services) {
      const key = keyString(svc);
      wanted.add(key);
      if (!this.#running.has(key)) this.#start(svc);
    }
    const stopping = [...this.#running.keys()].filter((k) => !wanted.has(k)).map((k) => this.#stop(k));
    await Promise.all(stopping);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((k) => this.#stop(k)));
  }

  #start(svc: NamespacedName): void {
    const { namespace, name } = svc;
    const key = keyString(svc);
    const abort = new AbortController();
    const elector = new LeaseElector({
      client: this.#o.client,
      clock: this.#o.clock,
      name: leaseName(namespace, name),
      identity: this.#o.identity,
      timings: this.#o.timings,
      ...(this.#o.random ? { random: this.#o.random } : {}),
      onStartedLeading: () => {
        this.#o.log?.(`lease ${leaseName(namespace, name)} acquired`);
        this.#o.onLeadingChanged(key, true);
      },
      onStoppedLeading: () => {
        this.#o.log?.(`lease ${leaseName(namespace, name)} lost or released`);
        this.#o.onLeadingChanged(key, false);
      },
      onError: (err) => this.#o.log?.(`lease ${leaseName(namespace, name)}: ${errorMessage(err)}`),
    });
    const done = elector.run(abort.signal);
    this.#running.set(key, { elector, abort, done });
  }

  async #stop(key: string): Promise<void> {
    const r = this.#running.get(key);
    if (!r) return;
    r.abort.abort();
    await r.done;
    this.#running.delete(key);
  }

  /** Deletes released leases (empty holder) with our prefix; returns the names deleted. */
  async collectGarbage(): Promise<string[]> {
    const deleted: string[] = [];
    for (const l of await this.#o.client.list()) {
      if (!l.name.startsWith(LEASE_PREFIX) || l.record.holderIdentity !== '') continue;
      try {
        await this.#o.client.delete(l.name, l.version);
        deleted.push(l.name);
      } catch {
        // Someone acquired or deleted it since the list: nothing to collect.
      }
    }
    return deleted;
  }

  /** Runs collectGarbage every minute until the signal aborts. */
  async runGarbageCollector(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#o.clock.sleep(LEASE_GC_INTERVAL_MS, signal);
      if (signal.aborted) break;
      try {
        const gone = await this.collectGarbage();
        if (gone.length > 0) this.#o.log?.(`lease GC deleted ${gone.join(', ')}`);
      } catch (err) {
        this.#o.log?.(`lease GC: ${errorMessage(err)}`);
      }
    }
  }
}

// Fan-out of decoded events to listeners, each with its own bounded queue. A listener that does
// not keep up loses the newest events past its queue's capacity — counted, per listener and in
// total ("lost in the agent") — and never slows the reader or the other listeners. Pure logic:
// no timers, no I/O; the module feeds it and the stream handler drains it.
import type { DatapathEvent } from './decode.js';
import { type EventFilter, MATCH_ALL, matches } from './filter.js';

export const DEFAULT_QUEUE_CAPACITY = 10_000;

export interface Subscription {
  readonly id: number;
  /** Events waiting for this listener. */
  readonly queued: number;
  /** Events this listener missed because its queue was full. */
  readonly lost: number;
  readonly closed: boolean;
  /** Removes and returns up to `max` queued events, oldest first. */
  take(max?: number): DatapathEvent[];
  /** Leaves the hub; queued events are discarded. */
  close(): void;
}

export interface SubscribeOptions {
  filter?: EventFilter;
  /** Called after a publish that queued something for this listener. */
  onReady?: () => void;
  /** Called once when the hub closes the subscription (the agent stops). */
  onClosed?: () => void;
}

export interface HubOptions {
  capacity?: number;
  /** Told the listener count each time it changes between zero and non-zero. */
  onActiveChange?: (active: boolean) => void;
  log?: (msg: string) => void;
}

class Listener implements Subscription {
  readonly id: number;
  readonly filter: EventFilter;
  readonly onReady: (() => void) | undefined;
  readonly onClosed: (() => void) | undefined;
  queue: DatapathEvent[] = [];
  lost = 0;
  closed = false;
  readonly #leave: (l: Listener) => void;

  constructor(id: number, o: SubscribeOptions, leave: (l: Listener) => void) {
    this.id = id;
    this.filter = o.filter ?? MATCH_ALL;
    this.onReady = o.onReady;
    this.onClosed = o.onClosed;
    this.#leave = leave;
  }

  get queued(): number {
    return this.queue.length;
  }

  take(max = Number.POSITIVE_INFINITY): DatapathEvent[] {
    if (max >= this.queue.length) {
      const all = this.queue;
      this.queue = [];
      return all;
    }
    return this.queue.splice(0, max);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.#leave(this);
  }
}

export class EventHub {
  readonly capacity: number;
  readonly #listeners = new Map<number, Listener>();
  readonly #onActiveChange: ((active: boolean) => void) | undefined;
  readonly #log: (msg: string) => void;
  #nextId = 1;
  #lostInAgent = 0;

  constructor(o: HubOptions = {}) {
    this.capacity = Math.max(1, o.capacity ?? DEFAULT_QUEUE_CAPACITY);
    this.#onActiveChange = o.onActiveChange;
    this.#log = o.log ?? (() => {});
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  /** Events lost by every listener so far, including listeners that have left. */
  get lostInAgent(): number {
    return this.#lostInAgent;
  }

  subscribe(o: SubscribeOptions = {}): Subscription {
    const l = new Listener(this.#nextId++, o, (gone) => this.#remove(gone));
    this.#listeners.set(l.id, l);
    if (this.#listeners.size === 1) this.#onActiveChange?.(true);
    return l;
  }

  publish(events: readonly DatapathEvent[]): void {
    for (const l of [...this.#listeners.values()]) {
      let queued = false;
      for (const ev of events) {
        if (!matches(l.filter, ev)) continue;
        if (l.queue.length >= this.capacity) {
          l.lost++;
          this.#lostInAgent++;
          continue;
        }
        l.queue.push(ev);
        queued = true;
      }
      if (queued) this.#notify(l, l.onReady, 'onReady');
    }
  }

  /** Closes every subscription (telling each listener), as the agent stops. */
  closeAll(): void {
    for (const l of [...this.#listeners.values()]) {
      l.close();
      this.#notify(l, l.onClosed, 'onClosed');
    }
  }

  #remove(l: Listener): void {
    if (!this.#listeners.delete(l.id)) return;
    if (this.#listeners.size === 0) this.#onActiveChange?.(false);
  }

  // One listener's failing callback must not cost the others their events.
  #notify(l: Listener, fn: (() => void) | undefined, what: string): void {
    try {
      fn?.();
    } catch (err) {
      this.#log(`events: listener ${l.id} ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

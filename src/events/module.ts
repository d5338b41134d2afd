// The events module of the agent: reads the datapath's ring buffer (waggle_events) every
// pollMs on the main thread — koffi callbacks run there, and consume() never blocks — decodes
// each record and fans the events out through the hub. Trace notifications cost the datapath a
// reservation per packet, so they are switched on (waggle_runtime_config[TraceEvents]) only while
// someone listens. Every loss is counted: in the kernel (ring full, waggle_events_lost), in
// decoding, and in the agent (a listener's full queue).
import type { AgentModule } from '../agent/module.js';
import { RingBufReader } from '../bpf/index.js';
import { errorMessage } from '../lib/errors.js';
import { type DatapathEvent, decodeRecord } from './decode.js';
import { DEFAULT_QUEUE_CAPACITY, EventHub } from './hub.js';

export const DEFAULT_POLL_MS = 50;
/** Batches read per poll at most: bounds one tick's work while a producer keeps the ring full. */
const MAX_BATCHES_PER_POLL = 4;

/** What the module reads records from: a RingBufReader, or a fake in tests. */
export interface RecordSource {
  consume(): Buffer[];
  close(): void;
}

export interface EventsModuleOptions {
  /** The waggle_events ring buffer's fd (the datapath module's; not closed here). */
  ringbufFd: () => number;
  /** Failed reservations, summed over CPUs (waggle_events_lost). */
  kernelLost: () => bigint;
  /** Writes waggle_runtime_config[TraceEvents]: non-zero while anyone listens. */
  setTraceEvents: (on: boolean) => void;
  pollMs?: number;
  queueCapacity?: number;
  log?: (msg: string) => void;
  /** How a source is opened on the fd; defaults to a libbpf ring buffer reader. */
  openSource?: (fd: number) => RecordSource;
  /** The ring's size in bytes, for the banner; defaults to the map's max_entries. */
  ringBytes?: (fd: number) => number;
}

export interface EventsStatus {
  listeners: number;
  /** Records read from the ring buffer. */
  received: number;
  /** Records too short, inconsistent or of a type this agent does not decode. */
  decodeErrors: number;
  /** Records the datapath could not reserve (the ring was full); null if unreadable. */
  lostInKernel: number | null;
  /** Events dropped for listeners whose queue was full. */
  lostInAgent: number;
}

export class EventsModule implements AgentModule {
  readonly name = 'events';
  readonly hub: EventHub;
  readonly #o: EventsModuleOptions;
  readonly #log: (msg: string) => void;
  #source: RecordSource | undefined;
  #timer: NodeJS.Timeout | undefined;
  #received = 0;
  #decodeErrors = 0;
  #ringBytes = 0;
  #lastError = '';

  constructor(o: EventsModuleOptions) {
    this.#o = o;
    this.#log = o.log ?? (() => {});
    this.hub = new EventHub({
      capacity: o.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
      onActiveChange: (on) => this.#setTrace(on),
      log: this.#log,
    });
  }

  /** The ring buffer's size in bytes (0 before start). */
  get ringBytes(): number {
    return this.#ringBytes;
  }

  start(): void {
    const fd = this.#o.ringbufFd();
    this.#ringBytes = (this.#o.ringBytes ?? ((f) => RingBufReader.sizeOf(f, 'waggle_events')))(fd);
    this.#source = (this.#o.openSource ?? ((f) => RingBufReader.open(f, 'waggle_events')))(fd);
    // A previous agent may have died with traces on; nobody listens to this one yet.
    this.#setTrace(this.hub.listeners > 0);
    this.#timer = setInterval(() => this.poll(), this.#o.pollMs ?? DEFAULT_POLL_MS);
    this.#timer.unref();
  }

  /** One poll: drains the ring (bounded), decodes and publishes. Public for tests. */
  poll(): void {
    const source = this.#source;
    if (!source) return;
    for (let i = 0; i < MAX_BATCHES_PER_POLL; i++) {
      let records: Buffer[];
      try {
        records = source.consume();
      } catch (err) {
        this.#once(`events: reading the ring buffer: ${errorMessage(err)}`);
        return;
      }
      if (records.length === 0) return;
      this.#received += records.length;
      const events: DatapathEvent[] = [];
      for (const rec of records) {
        const r = decodeRecord(rec);
        if (r.ok && r.event.kind !== 'unknown') events.push(r.event);
        else this.#decodeErrors++;
      }
      if (events.length > 0) this.hub.publish(events);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.hub.closeAll(); // turns traces off through onActiveChange when anyone was listening
    this.#source?.close();
    this.#source = undefined;
  }

  status(): EventsStatus {
    let lostInKernel: number | null = null;
    try {
      lostInKernel = Number(this.#o.kernelLost());
    } catch {
      // the map is gone or unreadable: say so rather than report zero
    }
    return {
      listeners: this.hub.listeners,
      received: this.#received,
      decodeErrors: this.#decodeErrors,
      lostInKernel,
      lostInAgent: this.hub.lostInAgent,
    };
  }

  #setTrace(on: boolean): void {
    try {
      this.#o.setTraceEvents(on);
    } catch (err) {
      this.#once(`events: setting TraceEvents ${on ? 'on' : 'off'}: ${errorMessage(err)}`);
    }
  }

  /** Logs an error once per distinct message, so a failing poll every 50 ms does not flood. */
  #once(msg: string): void {
    if (msg === this.#lastError) return;
    this.#lastError = msg;
    this.#log(msg);
  }
}

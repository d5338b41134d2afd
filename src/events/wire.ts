// The NDJSON lines of GET /v1/monitor: a hello object first, then one event per line with its
// payload in base64 and, when the agent knows it, the name of the event's interface.
import type { DatapathEvent } from './decode.js';

export interface MonitorHello {
  listening: true;
  /** CPUs of the node (Cilium's banner counts them; one ring buffer serves them all). */
  cpus: number;
  /** The ring buffer's size in bytes. */
  ringBytes: number;
}

export type WireEvent = Omit<DatapathEvent, 'payload'> & { payload: string; ifname?: string };

export function toWire(ev: DatapathEvent, ifname: string | undefined): WireEvent {
  const wire = { ...ev, payload: ev.payload.toString('base64') } as WireEvent;
  if (ifname !== undefined) wire.ifname = ifname;
  return wire;
}

export type ParsedLine =
  | { kind: 'hello'; hello: MonitorHello }
  | { kind: 'event'; event: DatapathEvent; ifname: string | undefined }
  | { kind: 'invalid'; error: string };

/** One line from the agent; anything malformed is reported, not thrown. */
export function parseLine(line: string): ParsedLine {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return { kind: 'invalid', error: `not JSON: ${line.slice(0, 80)}` };
  }
  if (typeof obj !== 'object' || obj === null) return { kind: 'invalid', error: 'not an object' };
  const o = obj as Record<string, unknown>;
  if (o.listening === true) {
    return {
      kind: 'hello',
      hello: { listening: true, cpus: Number(o.cpus) || 0, ringBytes: Number(o.ringBytes) || 0 },
    };
  }
  if ((o.kind === 'trace' || o.kind === 'drop') && typeof o.payload === 'string') {
    const { ifname, ...rest } = o;
    const event = { ...rest, payload: Buffer.from(o.payload, 'base64') } as unknown as DatapathEvent;
    return { kind: 'event', event, ifname: typeof ifname === 'string' ? ifname : undefined };
  }
  return { kind: 'invalid', error: `unknown line: ${line.slice(0, 80)}` };
}

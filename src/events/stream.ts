// GET /v1/monitor: a long-lived NDJSON response (wire.ts) of the events a listener's filter
// matches, until the client disconnects or the agent stops. Writes follow the socket's
// backpressure: while the client is slow, events wait in its bounded hub queue, and what does
// not fit there is counted as lost in the agent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cpus as osCpus } from 'node:os';
import { filterFromQuery } from './filter.js';
import type { EventHub } from './hub.js';
import { type MonitorHello, toWire } from './wire.js';

export const MONITOR_PATH = '/v1/monitor';
const WRITE_BATCH = 256;

export interface MonitorStreamOptions {
  hub: EventHub;
  /** The ring buffer's size in bytes, for the client's banner. */
  ringBytes: () => number;
  /** An interface name by ifindex, added to each event as `ifname`. */
  ifname?: (ifindex: number) => string | undefined;
  cpus?: number;
}

export type MonitorStreamHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
) => void;

export function monitorStream(o: MonitorStreamOptions): MonitorStreamHandler {
  return (req, res, query) => {
    const parsed = filterFromQuery(query);
    if (!parsed.ok) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: parsed.error }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
    const hello: MonitorHello = {
      listening: true,
      cpus: o.cpus ?? osCpus().length,
      ringBytes: o.ringBytes(),
    };
    res.write(`${JSON.stringify(hello)}\n`);
    let waitingForDrain = false;
    const pump = () => {
      while (!sub.closed && !res.writableNeedDrain) {
        const batch = sub.take(WRITE_BATCH);
        if (batch.length === 0) return;
        const text = batch.map((ev) => JSON.stringify(toWire(ev, o.ifname?.(ev.ifindex)))).join('\n');
        res.write(`${text}\n`);
      }
      if (!sub.closed && !waitingForDrain) {
        waitingForDrain = true;
        res.once('drain', () => {
          waitingForDrain = false;
          pump();
        });
      }
    };
    const sub = o.hub.subscribe({
      filter: parsed.filter,
      onReady: pump,
      onClosed: () => res.end(),
    });
    const leave = () => sub.close();
    req.once('close', leave);
    res.once('close', leave);
  };
}

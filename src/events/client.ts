// The client of GET /v1/monitor: connects to an agent's socket and hands each NDJSON line, parsed,
// to a callback until the caller stops it or the agent goes away.
import { request } from 'node:http';
import { type EventFilter, filterToQuery } from './filter.js';
import { MONITOR_PATH } from './stream.js';
import { type ParsedLine, parseLine } from './wire.js';

export interface MonitorConnection {
  /** Resolves 'stopped' after stop(), 'ended' when the agent closed the stream. */
  done: Promise<'stopped' | 'ended'>;
  stop(): void;
}

export function connectMonitor(
  socketPath: string,
  filter: EventFilter,
  onLine: (line: ParsedLine) => void,
): MonitorConnection {
  let stopped = false;
  let settle: (v: 'stopped' | 'ended') => void = () => {};
  let fail: (err: Error) => void = () => {};
  const done = new Promise<'stopped' | 'ended'>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const query = filterToQuery(filter).toString();
  const req = request(
    // A connection of its own (agent: false): see fetchJson in src/agent/api-client.ts.
    { socketPath, path: `${MONITOR_PATH}${query ? `?${query}` : ''}`, method: 'GET', agent: false },
    (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () =>
          fail(new Error(`agent API ${socketPath}: HTTP ${res.statusCode}: ${body.trim()}`)),
        );
        return;
      }
      let rest = '';
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') onLine(parseLine(line));
      });
      res.on('end', () => settle(stopped ? 'stopped' : 'ended'));
      res.on('close', () => settle(stopped ? 'stopped' : 'ended'));
    },
  );
  req.on('error', (err: NodeJS.ErrnoException) => {
    if (stopped) return settle('stopped');
    fail(
      new Error(
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? `agent API ${socketPath}: no agent listening (is \`waggle agent\` running for this node?)`
          : `agent API ${socketPath}: ${err.message}`,
      ),
    );
  });
  req.end();
  return {
    done,
    stop() {
      stopped = true;
      req.destroy();
      settle('stopped');
    },
  };
}

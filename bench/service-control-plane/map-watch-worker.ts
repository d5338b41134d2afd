// The bench's map poller, in a worker thread so that its waits can be 0.25 ms (Atomics.wait
// sleeps; setTimeout cannot go below 1 ms) while the main thread's etcd writes go on. It opens
// the agent's pinned waggle_lb4_services_v2 itself (retrying until the agent has made it) and
// answers each request with the CLOCK_MONOTONIC time (process.hrtime, the same clock in every
// thread) of the first poll that saw the condition. Every wait is bounded by its timeout.
import { parentPort } from 'node:worker_threads';
import { TypedMap } from '../../src/bpf/typed-map.js';
import { type Lb4Key, type Lb4Service, lb4ServicesCodec } from '../../src/datapath/maps/lb4-services.js';
import type { WatchReply, WatchRequest } from './map-watch.js';

const POLL_MS = 0.25;
const nap = new Int32Array(new SharedArrayBuffer(4));
let map: TypedMap<Lb4Key, Lb4Service> | undefined;
let mapPath = '';

function open(path: string): TypedMap<Lb4Key, Lb4Service> | undefined {
  if (map && mapPath === path) return map;
  try {
    map?.raw.close();
    map = TypedMap.openPinned(path, lb4ServicesCodec);
    mapPath = path;
    return map;
  } catch {
    map = undefined;
    return undefined;
  }
}

const slotIds = (m: TypedMap<Lb4Key, Lb4Service>, master: Lb4Key, count: number): number[] | undefined => {
  const ids: number[] = [];
  for (let s = 1; s <= count; s++) {
    const v = m.get({ ...master, backendSlot: s });
    if (!v) return undefined;
    ids.push(v.backendId);
  }
  return ids;
};

function serve(req: WatchRequest): WatchReply {
  const deadline = performance.now() + req.timeoutMs;
  let polls = 0;
  let next = 0; // 'masters': keys[0..next) were seen with the wanted count
  let first = '';
  while (performance.now() < deadline) {
    polls++;
    const m = open(req.path);
    if (m) {
      if (req.kind === 'masters') {
        for (; next < req.keys.length; next++) {
          const v = m.get(req.keys[next] as Lb4Key);
          if (!v || v.count !== req.count) break;
        }
        if (next > 0 && first === '') first = String(process.hrtime.bigint());
        if (next === req.keys.length)
          return { id: req.id, at: String(process.hrtime.bigint()), first, polls };
      } else {
        const v = m.get(req.key);
        const ids = v && v.count === req.before.length ? slotIds(m, req.key, v.count) : undefined;
        if (ids?.some((id, i) => id !== req.before[i]))
          return { id: req.id, at: String(process.hrtime.bigint()), polls, ids };
      }
    }
    Atomics.wait(nap, 0, 0, POLL_MS);
  }
  return { id: req.id, at: '', polls, error: `timed out after ${req.timeoutMs} ms (${next} keys seen)` };
}

parentPort?.on('message', (req: WatchRequest | 'close') => {
  if (req === 'close') {
    map?.raw.close();
    parentPort?.close();
    return;
  }
  let reply: WatchReply;
  try {
    reply = serve(req);
  } catch (err) {
    reply = { id: req.id, at: '', polls: 0, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});

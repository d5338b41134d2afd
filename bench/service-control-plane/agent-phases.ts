// What the bench does to a running agent: program every stored service from its start, add one
// service at a time, replace one backend at a time. Each figure is measured twice where it can
// be: from the store write to the row the bench's poller sees in the pinned map (map-watch.ts),
// and as the agent's own histogram counted it (from the change reaching the agent to its rows
// written), read from the _sum of waggle_service_implementation_delay_seconds between scrapes.
import { TypedMap } from '../../src/bpf/typed-map.js';
import { type Lb4Key, type Lb4Service, lb4ServicesCodec } from '../../src/datapath/maps/lb4-services.js';
import type { AnyObject } from '../../src/api/index.js';
import type { Store } from '../../src/store/index.js';
import { addIp, type BenchService } from '../service-lookup/rules.js';
import type { ControlPlaneLab, RunningAgent } from './agent-node.js';
import { delta, type HistogramSnapshot, snapshot } from './histogram.js';
import type { MapWatch } from './map-watch.js';
import { masterKey, NAMESPACE, serviceObject, sliceObject } from './objects.js';

const nsToMs = (ns: bigint) => Number(ns) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const servicesMapPath = (a: RunningAgent) => `${a.pinDir}/${lb4ServicesCodec.mapName}`;

export interface Programmed {
  /** Spawn → the agent's API answering /v1/healthz. */
  healthyMs: number;
  /** Spawn → the first service's master row with both slots. */
  firstMs: number;
  /** Spawn → every stored service's master row with both slots. */
  allMs: number;
  polls: number;
}

/** Starts a fresh agent and times it until every one of `services` is in its map. */
export async function programFromScratch(
  lab: ControlPlaneLab,
  watch: MapWatch,
  name: string,
  services: readonly BenchService[],
): Promise<{ agent: RunningAgent; programmed: Programmed }> {
  const pinDir = `${lab.pods.lab.runDir}/bpffs/${name}`;
  const seen = watch.masters(
    `${pinDir}/${lb4ServicesCodec.mapName}`,
    services.map((s) => masterKey(s)),
    2,
    180_000,
  );
  const agent = await lab.startAgent(name);
  const s = await seen;
  const from = agent.spawnedAt;
  return {
    agent,
    programmed: {
      healthyMs: nsToMs(agent.healthyAt - from),
      firstMs: s.first ? nsToMs(s.first - from) : Number.NaN,
      allMs: nsToMs(s.at - from),
      polls: s.polls,
    },
  };
}

/** Polls the agent's metrics until `action` has counted `count` observations (bounded). */
async function observed(
  lab: ControlPlaneLab,
  a: RunningAgent,
  action: string,
  count: number,
): Promise<HistogramSnapshot> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const h = snapshot(lab.scrape(a), action);
    if (h.count >= count) return h;
    if (Date.now() > deadline)
      throw new Error(`agent ${a.name}: ${action} count ${h.count}, expected ${count} within 30 s`);
    await sleep(5);
  }
}

export interface Series {
  /** Store write → row in the map, ms. */
  mapMs: number[];
  /** The agent's own measure of each change (histogram _sum difference), ms. */
  agentMs: number[];
  /** Every observation of the series, for histogram_quantile. */
  histogram: HistogramSnapshot;
}

/**
 * `adds` more services, one at a time: the slice first (no frontend yet; the bench waits for the
 * agent to finish that pass), then the timed Service write until its master row has both slots.
 */
export async function addOneByOne(
  lab: ControlPlaneLab,
  watch: MapWatch,
  a: RunningAgent,
  added: readonly BenchService[],
): Promise<Series> {
  const store = lab.store as Store;
  const out: Series = { mapMs: [], agentMs: [], histogram: { count: 0, sum: 0, buckets: [] } };
  const start = snapshot(lab.scrape(a), 'add');
  let count = start.count;
  let last = start;
  for (const s of added) {
    await store.create(sliceObject(s) as AnyObject);
    last = await observed(lab, a, 'add', ++count);
    const seen = watch.masters(servicesMapPath(a), [masterKey(s)], 2, 10_000);
    const t0 = process.hrtime.bigint();
    await store.create(serviceObject(s) as AnyObject);
    out.mapMs.push(nsToMs((await seen).at - t0));
    const h = await observed(lab, a, 'add', ++count);
    out.agentMs.push((h.sum - last.sum) * 1000);
    last = h;
  }
  out.histogram = delta(start, last);
  return out;
}

/**
 * `changes` EndpointSlice updates spread over the stored services, each replacing the second
 * endpoint with a new address (a pod replaced): timed until the slots point at other backends.
 */
export async function replaceBackends(
  lab: ControlPlaneLab,
  watch: MapWatch,
  a: RunningAgent,
  stored: number,
  changes: number,
  fresh: { next: number },
): Promise<Series> {
  const store = lab.store as Store;
  const map = TypedMap.openPinned<Lb4Key, Lb4Service>(servicesMapPath(a), lb4ServicesCodec);
  const out: Series = { mapMs: [], agentMs: [], histogram: { count: 0, sum: 0, buckets: [] } };
  try {
    const start = snapshot(lab.scrape(a), 'update');
    let last = start;
    for (let k = 0; k < changes; k++) {
      const idx = Math.floor(((k + 0.5) * stored) / changes);
      const key = masterKey({ vip: addIp('10.96.0.1', idx), port: 80 } as BenchService);
      const before = [1, 2].map((slot) => map.get({ ...key, backendSlot: slot })?.backendId ?? 0);
      const slice = await store.get('EndpointSlice', `svc-${idx}-bench`, NAMESPACE);
      const endpoints = [
        slice.endpoints[0],
        { addresses: [addIp('172.30.0.1', fresh.next++)], conditions: {} },
      ];
      const seen = watch.slotsChanged(servicesMapPath(a), key, before, 10_000);
      const t0 = process.hrtime.bigint();
      await store.update({ ...slice, endpoints } as AnyObject);
      out.mapMs.push(nsToMs((await seen).at - t0));
      const h = await observed(lab, a, 'update', last.count + 1);
      out.agentMs.push((h.sum - last.sum) * 1000);
      last = h;
    }
    out.histogram = delta(start, last);
  } finally {
    map.raw.close();
  }
  return out;
}

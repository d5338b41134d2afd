// Service control plane (issue #18): how fast the agent's services module turns Services ×
// EndpointSlices in a real etcd into rows of its pinned service maps, against kube-proxy's
// iptables-legacy-restore and nft -f of the same services in a namespace of the bench's own.
//   1. N services stored, a fresh agent started → every frontend in the map; kube-proxy's
//      first sync of the same N (iptables-legacy-restore, nft -f) from empty tables.
//   2. At --add-at: one more service at a time (store write → master row with both slots);
//      kube-proxy: the nft transaction for one service, and a full iptables-legacy resync.
//   3. At each --change-at: one backend replaced in an EndpointSlice → the slots change, from
//      the map and from the agent's waggle_service_implementation_delay_seconds.
//   4. The agent's RSS and the service maps' memlock at every N.
//   node dist/bench/service-control-plane.js [--n 1000,10000,30000] [--add-at 10000] [--adds 20]
//        [--change-at 1000,10000] [--changes 50] [--nft-max 10000]
import { parseList } from './service-lookup/stats.js';
import { numberFlag, runBench, writeResult } from './lib/report.js';
import { mapMemory, ControlPlaneLab, LB_MAP_MAX, rssKiB } from './service-control-plane/agent-node.js';
import {
  addOneByOne,
  programFromScratch,
  replaceBackends,
  type Series,
} from './service-control-plane/agent-phases.js';
import { KubeProxyRules } from './service-control-plane/kube-proxy.js';
import { MapWatch } from './service-control-plane/map-watch.js';
import { benchServices, serviceObject, sliceObject } from './service-control-plane/objects.js';
import { type Phase, printResults, stats } from './service-control-plane/tables.js';

const listFlag = (name: string, dflt: number[]) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? parseList(name, process.argv[i + 1] ?? '') : dflt;
};
const NS = [...listFlag('--n', [1000, 10000, 30000])].sort((a, b) => a - b);
const ADD_AT = numberFlag('--add-at', 10000);
const ADDS = numberFlag('--adds', 20);
const CHANGE_AT = listFlag('--change-at', [1000, 10000]);
const CHANGES = numberFlag('--changes', 50);
// nft -f of kube-proxy's whole table took 38.6 s at 10k on nft 1.0.6 (§8): at 30k it alone
// would take minutes, beyond what the default run may.
const NFT_MAX = numberFlag('--nft-max', 10000);

async function main(): Promise<void> {
  const began = performance.now();
  const lab = new ControlPlaneLab();
  const watch = new MapWatch();
  let kp: KubeProxyRules | undefined;
  const phases: Phase[] = [];
  const save = (complete: boolean) =>
    writeResult('service-control-plane', {
      complete,
      runSeconds: Math.round((performance.now() - began) / 1000),
      settings: { ns: NS, addAt: ADD_AT, adds: ADDS, changeAt: CHANGE_AT, changes: CHANGES, nftMax: NFT_MAX },
      lbMapMax: LB_MAP_MAX,
      endpointsPerService: 2,
      phases: phases.map((p) => ({
        ...p,
        ...(p.add ? { add: { ...p.add, waggleMap: stats(p.add.waggleMap) } } : {}),
        ...(p.change ? { change: stats(p.change) } : {}),
      })),
    });
  try {
    await lab.start();
    kp = new KubeProxyRules();
    let stored = 0;
    const fresh = { next: 0 };
    for (const n of NS) {
      const more = benchServices(stored, Math.max(stored, n));
      const objects = more.flatMap((s) => [serviceObject(s), sliceObject(s)]);
      const writeMs = await lab.createAll(objects);
      stored = Math.max(stored, n);
      process.stdout.write(`N=${n}: ${objects.length} objects written to etcd in ${writeMs.toFixed(0)} ms\n`);
      const all = benchServices(0, stored);
      const { agent, programmed } = await programFromScratch(lab, watch, `cp-${n}`, all);
      process.stdout.write(`N=${n}: agent programmed ${stored} services ${JSON.stringify(programmed)}\n`);
      const phase: Phase = {
        n: stored,
        storeWrite: { objects: objects.length, ms: writeMs },
        waggle: { ...programmed },
        kubeProxy: { iptablesLegacyMs: Number.NaN },
        memory: { agentRssKiB: rssKiB(agent.pid), maps: {} },
      };
      phases.push(phase);
      let change: Series | undefined;
      if (CHANGE_AT.includes(n) && CHANGES > 0) {
        change = await replaceBackends(lab, watch, agent, stored, CHANGES, fresh);
        process.stdout.write(`N=${n}: ${CHANGES} backend changes ${JSON.stringify(stats(change).map)}\n`);
      }
      const added = n === ADD_AT && ADDS > 0 ? benchServices(stored, stored + ADDS) : [];
      let addSeries: Series | undefined;
      if (added.length > 0) {
        addSeries = await addOneByOne(lab, watch, agent, added);
        stored += added.length;
        process.stdout.write(`N=${n}: ${ADDS} adds ${JSON.stringify(stats(addSeries).map)}\n`);
      }
      phase.memory.agentRssKiB = rssKiB(agent.pid);
      for (const m of ['waggle_lb4_services_v2', 'waggle_lb4_backends_v3', 'waggle_lb4_reverse_nat'])
        phase.memory.maps[m] = mapMemory(`${agent.pinDir}/${m}`);
      await lab.stopAgent(agent);
      if (change) phase.change = change;
      // kube-proxy, with the agent stopped: the same N from empty tables, then the adds.
      const base = benchServices(0, n);
      phase.kubeProxy.iptablesLegacyMs = kp.iptablesFromScratch(base);
      if (n <= NFT_MAX) {
        phase.kubeProxy.nftMs = kp.nftFromScratch(base);
        phase.kubeProxy.nftChains = kp.nftChains();
      }
      process.stdout.write(`N=${n}: kube-proxy ${JSON.stringify(phase.kubeProxy)}\n`);
      if (addSeries) {
        const nft = n <= NFT_MAX ? added.map((s) => kp?.nftAdd(s) as number) : [];
        const ipt = added.map((_, k) => kp?.iptablesResync(benchServices(0, n + k + 1)) as number);
        phase.add = { waggleMap: addSeries, kubeProxyNftMs: nft, kubeProxyIptablesMs: ipt };
      }
      save(false);
    }
    printResults(phases);
    save(true);
    process.stdout.write(`run: ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
  } finally {
    kp?.destroy();
    await watch.close();
    await lab.destroy();
  }
}

runBench('service-control-plane', main);

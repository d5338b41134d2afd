// Reaction time of L2 announcements in the lab, measured on the jumpbox's wire (tcpdump -tt):
//  1. `waggle apply` of the seed's L2 policy (pool and service present, IP assigned) → the first
//     gratuitous ARP for the VIP on eth1;
//  2. `waggle apply` of a new LoadBalancer service (pool and policy present) → the first ARP reply
//     for its address to the jumpbox's arping (every 20 ms).
// Times start when `waggle apply` is invoked (a user's view: includes the CLI's start, ~0.3 s of
// Node.js); the CLI's own duration is reported beside them. p50/p99 over N trials.
// Run as root: node dist/bench/reaction.js [--full] [--trials N]
import { ArpCapture, isGarp, startArping } from './lib/capture.js';
import {
  applyText,
  CILIUM_DEFAULT,
  freshLab,
  labStore,
  resetLab,
  SEED_POLICY,
  serviceYaml,
  sleep,
  timingFlags,
  until,
  waggle,
} from './lib/lab.js';
import { ms, numberFlag, printTable, runBench, runMode, summarize, writeResult } from './lib/report.js';
import { seedVip } from './lib/scenario.js';

const NEW_IP = '10.0.10.50';

function newService(): string {
  return serviceYaml('fresh', 'default').replace(
    'namespace: default',
    `namespace: default\n  annotations:\n    lbipam.cilium.io/ips: "${NEW_IP}"`,
  );
}

function deleteOrThrow(args: string[]): void {
  const res = waggle(['delete', ...args]);
  if (res.code !== 0) throw new Error(`waggle delete ${args.join(' ')}: ${res.stderr.trim()}`);
}

/** Nobody answers `ip` for 1 s (after a removal), at most 30 s. */
async function silent(cap: ArpCapture, ip: string): Promise<void> {
  const ok = await until(
    30_000,
    async () => {
      const t = Date.now();
      await sleep(1000);
      return cap.replies(ip, t).some((p) => !isGarp(p)) ? undefined : true;
    },
    0,
  );
  if (!ok) throw new Error(`${ip} still answered 30 s after its announcement was removed`);
}

async function main() {
  const trials = numberFlag('--trials', runMode().full ? 20 : 5);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  await freshLab(timingFlags(CILIUM_DEFAULT));
  const store = labStore();
  const policyToGarp: number[] = [];
  const policyCli: number[] = [];
  const svcToAnswer: number[] = [];
  const svcCli: number[] = [];
  const cap = await ArpCapture.start('jumpbox', 'eth1', 3_600_000);
  const arping = startArping('jumpbox', 'eth1', '10.0.10.0', 0.02, 3600);
  const arpingNew = startArping('jumpbox', 'eth1', NEW_IP, 0.02, 3600);
  try {
    const vip = await seedVip(store);
    say(`${vip.service} ${vip.ip} held by ${vip.holder}`);
    for (let i = 0; i < trials; i++) {
      deleteOrThrow(['l2announcement', 'policy1']);
      await silent(cap, vip.ip);
      cap.forgetBefore(Date.now() - 2000);
      const t0 = Date.now();
      applyText(SEED_POLICY);
      policyCli.push(Date.now() - t0);
      const garp = await until(30_000, () => cap.replies(vip.ip, t0).find(isGarp));
      if (!garp) throw new Error(`trial ${i + 1}: no gratuitous ARP for ${vip.ip} within 30 s of the policy`);
      policyToGarp.push(garp.tMs - t0);
      say(`policy → GARP #${i + 1}: ${ms(garp.tMs - t0)}`);
    }
    for (let i = 0; i < trials; i++) {
      const t0 = Date.now();
      applyText(newService());
      svcCli.push(Date.now() - t0);
      const reply = await until(30_000, () => cap.replies(NEW_IP, t0).find((p) => !isGarp(p)));
      if (!reply) throw new Error(`trial ${i + 1}: ${NEW_IP} not answered within 30 s of the service`);
      svcToAnswer.push(reply.tMs - t0);
      say(`service → answer #${i + 1}: ${ms(reply.tMs - t0)}`);
      deleteOrThrow(['service', 'fresh', '-n', 'default']);
      await silent(cap, NEW_IP);
      cap.forgetBefore(Date.now() - 2000);
    }
  } finally {
    await Promise.all([arping.stop(), arpingNew.stop()]);
    await cap.stop();
    await store.close();
    await resetLab();
  }
  const a = summarize(policyToGarp);
  const b = summarize(svcToAnswer);
  const ca = summarize(policyCli);
  const cb = summarize(svcCli);
  printTable(
    `reaction, ${trials} trials each (from \`waggle apply\` invoked; tcpdump timestamps on the jumpbox)`,
    [
      ['what', 'n', 'p50', 'p99', 'max', 'CLI apply itself p50'],
      ['L2 policy applied → first gratuitous ARP', a.n, ms(a.p50), ms(a.p99), ms(a.max), ms(ca.p50)],
      ['service created → first answered ARP', b.n, ms(b.p50), ms(b.p99), ms(b.max), ms(cb.p50)],
    ],
  );
  writeResult('reaction', {
    timings: CILIUM_DEFAULT,
    policyToGarpMs: { ...a, samples: policyToGarp },
    serviceToAnswerMs: { ...b, samples: svcToAnswer },
    cliApplyMs: { policy: ca, service: cb },
  });
}

runBench('reaction', main);

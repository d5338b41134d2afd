// kube-proxy's side of the comparison: its rules for the same services (rules.ts) loaded into a
// network namespace of the bench's own with the real tools, each timed as wall time of the
// command (process start included, as kube-proxy execs them too).
import { sh } from '../../src/testing/exec.js';
import { TestNetns } from '../../src/testing/netns.js';
import { type BenchService, iptablesRestore, nftRuleset } from '../service-lookup/rules.js';
import { nftAddOne } from './objects.js';

// The jumps from the built-in chains: kube-proxy checks them once (iptables -C) and does not
// repeat them in every restore; appending them again would grow the built-in chains each sync.
const BUILTIN_JUMP = /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) /;

export class KubeProxyRules {
  readonly ns = TestNetns.create('scpk');

  #load(cmd: string, args: string[], input: string): number {
    const t0 = process.hrtime.bigint();
    sh('ip', ['netns', 'exec', this.ns.name, cmd, ...args], { input, timeoutMs: 900_000 });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }

  /** iptables-legacy-restore of every service into emptied tables (kube-proxy's first sync). */
  iptablesFromScratch(services: readonly BenchService[]): number {
    for (const t of ['nat', 'filter'])
      for (const op of ['-F', '-X']) this.ns.exec('iptables-legacy', ['-t', t, op], { allowFail: true });
    return this.#load('iptables-legacy-restore', ['--noflush'], iptablesRestore(services));
  }

  /**
   * One more service in iptables mode: a full sync of every service, the new one included (a
   * restore names every KUBE-SVC/KUBE-SEP chain, so each is flushed and written again).
   */
  iptablesResync(services: readonly BenchService[]): number {
    const input = iptablesRestore(services)
      .split('\n')
      .filter((l) => !BUILTIN_JUMP.test(l))
      .join('\n');
    return this.#load('iptables-legacy-restore', ['--noflush'], input);
  }

  /** nft -f of the whole kube-proxy table into an empty ruleset. */
  nftFromScratch(services: readonly BenchService[]): number {
    this.ns.exec('nft', ['flush', 'ruleset']);
    return this.#load('nft', ['-f', '-'], nftRuleset(services));
  }

  /** nft -f of the one transaction kube-proxy's nftables mode sends for a new service. */
  nftAdd(s: BenchService): number {
    return this.#load('nft', ['-f', '-'], nftAddOne(s));
  }

  /** The chains kube-proxy's table holds (a check that the loads did what they say). */
  nftChains(): number {
    // Counted in the namespace: the listing of 30k chains is more than spawnSync buffers.
    const r = this.ns.exec('sh', ['-c', 'nft list chains ip | grep -c "^\\s*chain "'], { allowFail: true });
    return Number(r.stdout.trim());
  }

  destroy(): void {
    this.ns.destroy();
  }
}

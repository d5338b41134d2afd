// The module against a real nat table: each test's iptables calls run inside a namespace it
// creates (`ip netns exec`), so the host's netfilter tables are never touched.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { run } from '../lib/exec.js';
import { TestNetns } from '../testing/netns.js';
import { type IptablesRunner, MasqueradeModule, type MasqueradeModuleOptions } from './module.js';

/** The nat table's lines that mention our chain, as iptables-save prints them. */
function ourLines(ns: TestNetns): string[] {
  return ns
    .exec('iptables-save', ['-t', 'nat'])
    .stdout.split('\n')
    .filter((l) => l.includes('WAGGLE_POST_nat'));
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const JUMP =
  '-A POSTROUTING -m comment --comment "waggle: masquerade pod traffic leaving the node" -j WAGGLE_POST_nat';
const ret = (cidr: string, why: string) =>
  `-A WAGGLE_POST_nat -d ${cidr} -m comment --comment "waggle: ${why}" -j RETURN`;
const MASQ =
  '-A WAGGLE_POST_nat -s 10.200.1.0/24 ! -o waggle_host -m comment --comment "waggle: masquerade pods leaving the cluster" -j MASQUERADE';

describe('masquerade module (iptables in a test namespace)', () => {
  let ns: TestNetns;
  let dir: string;
  let iptables: IptablesRunner;
  const logs: string[] = [];
  // A fresh namespace (and so a fresh nat table) per test.
  beforeEach(() => {
    ns = TestNetns.create('mq');
  });
  afterEach(() => ns.destroy());
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'waggle-masq-'));
    iptables = async (cmd, args, input) =>
      (
        await run('ip', ['netns', 'exec', ns.name, cmd, ...args], {
          timeoutMs: 10_000,
          ...(input !== undefined ? { input } : {}),
        })
      ).stdout;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const options = (over: Partial<MasqueradeModuleOptions>): MasqueradeModuleOptions => ({
    enabled: true,
    podCidr: () => '10.200.1.0/24',
    nativeRoutingCidr: '10.200.0.0/16',
    log: (m) => logs.push(m),
    iptables,
    configPollMs: 50,
    ...over,
  });

  test('PodCIDR later, applied twice, config changes, a bad config, shutdown and failed-start', async () => {
    // Someone else's POSTROUTING rule, which nothing of ours may disturb.
    ns.exec('iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-s', '10.9.0.0/16', '-j', 'MASQUERADE']);
    const config = join(dir, 'ip-masq-agent');
    writeFileSync(config, 'nonMasqueradeCIDRs: [192.168.0.0/16]\n');
    let podCidr: string | undefined;
    const m = new MasqueradeModule(options({ podCidr: () => podCidr, ipMasqAgentConfig: config }));
    await m.start();
    assert.deepEqual(ourLines(ns), [], 'nothing before the PodCIDR is known');
    assert.deepEqual(m.status(), { mode: 'iptables', nonMasqueradeCIDRs: ['192.168.0.0/16'], rules: 0 });

    podCidr = '10.200.1.0/24';
    await m.refresh();
    await m.refresh();
    const first = [
      ':WAGGLE_POST_nat - [0:0]',
      JUMP,
      ret('10.200.0.0/16', 'native-routing-cidr'),
      ret('192.168.0.0/16', 'ip-masq-agent nonMasqueradeCIDRs'),
      ret('169.254.0.0/16', 'link-local, masqLinkLocal false'),
      MASQ,
    ];
    assert.deepEqual(ourLines(ns), first, 'the chain, its rules and one jump after two applies');
    assert.equal(m.status().rules, 4);

    writeFileSync(config, 'nonMasqueradeCIDRs: [192.168.0.0/16, 172.16.0.0/12]\nmasqLinkLocal: true\n');
    await until('the new CIDR in the nat table', () => ourLines(ns).some((l) => l.includes('172.16.0.0/12')));
    const second = [
      ':WAGGLE_POST_nat - [0:0]',
      JUMP,
      ret('10.200.0.0/16', 'native-routing-cidr'),
      ret('192.168.0.0/16', 'ip-masq-agent nonMasqueradeCIDRs'),
      ret('172.16.0.0/12', 'ip-masq-agent nonMasqueradeCIDRs'),
      MASQ,
    ];
    assert.deepEqual(ourLines(ns), second);

    writeFileSync(config, 'nonMasqueradeCIDRs: [192.168.0.0/16, 10.0.0.0/33]\n');
    await until('the config error in status', () => m.status().lastError !== undefined);
    assert.match(
      m.status().lastError ?? '',
      /nonMasqueradeCIDRs\[1\]: "10\.0\.0\.0\/33": prefix length 33 > 32/,
    );
    await m.refresh();
    assert.deepEqual(ourLines(ns), second, 'a bad config keeps the last good rules');
    assert.deepEqual(m.status().nonMasqueradeCIDRs, ['192.168.0.0/16', '172.16.0.0/12']);
    assert.ok(
      logs.some((l) => l.includes('keeping the last good config')),
      logs.join('\n'),
    );

    await m.stop('shutdown');
    assert.deepEqual(ourLines(ns), second, 'rules stay across an agent restart');

    // The next agent takes the chain over (rewritten, still one jump), then fails to start. A
    // missing config file is the empty config: link-local still returns (masqLinkLocal false).
    const next = new MasqueradeModule(options({ ipMasqAgentConfig: join(dir, 'absent') }));
    await next.start();
    assert.deepEqual(ourLines(ns), [
      ':WAGGLE_POST_nat - [0:0]',
      JUMP,
      ret('10.200.0.0/16', 'native-routing-cidr'),
      ret('169.254.0.0/16', 'link-local, masqLinkLocal false'),
      MASQ,
    ]);
    await next.stop('failed-start');
    assert.deepEqual(ourLines(ns), [], 'failed-start removes the chain and the jump');
    assert.match(
      ns.exec('iptables', ['-t', 'nat', '-S', 'POSTROUTING']).stdout,
      /-A POSTROUTING -s 10\.9\.0\.0\/16 -j MASQUERADE/,
    );
  });

  test('a PodCIDR iptables cannot hold fails start, naming it; disabled does nothing', async () => {
    const bad = new MasqueradeModule(options({ podCidr: () => 'fd00::/64' }));
    await assert.rejects(bad.start(), /masquerade: PodCIDR: "fd00::\/64": not IPv4/);
    assert.match(bad.status().lastError ?? '', /PodCIDR/);
    const off = new MasqueradeModule(options({ enabled: false }));
    await off.start();
    await off.refresh();
    assert.deepEqual(off.status(), { mode: 'disabled', nonMasqueradeCIDRs: [], rules: 0 });
    assert.deepEqual(ourLines(ns), []);
  });
});

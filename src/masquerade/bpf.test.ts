import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type IpmasqTable, ipmasqPrefixes, removeIptablesLeftovers, syncIpmasq } from './bpf.js';
import { EMPTY_CONFIG } from './config.js';

test('ip-masq-agent prefixes: IPv4 nonMasqueradeCIDRs, link-local unless masqLinkLocal, none without the agent', () => {
  assert.deepEqual(ipmasqPrefixes(undefined), []);
  const cfg = { ...EMPTY_CONFIG, nonMasqueradeCIDRs: ['10.98.0.0/24', 'fd00::/8'] };
  assert.deepEqual(ipmasqPrefixes(cfg), ['10.98.0.0/24', '169.254.0.0/16']);
  assert.deepEqual(ipmasqPrefixes({ ...cfg, masqLinkLocal: true }), ['10.98.0.0/24']);
});

test('syncIpmasq adds what is missing and removes what is not wanted', () => {
  const have = new Set(['10.1.0.0/16', '10.98.0.0/24']);
  const table: IpmasqTable = {
    keys: () => [...have],
    set: (p) => void have.add(p),
    delete: (p) => have.delete(p),
  };
  assert.equal(syncIpmasq(table, ['10.98.0.0/24', '169.254.0.0/16']), 2);
  assert.deepEqual([...have].sort(), ['10.98.0.0/24', '169.254.0.0/16']);
});

test('iptables leftovers: the chain and its jump are removed only when the chain exists', async () => {
  const calls: string[] = [];
  const listing =
    '-P POSTROUTING ACCEPT\n-N WAGGLE_POST_nat\n-A POSTROUTING -m comment --comment "x" -j WAGGLE_POST_nat\n';
  const run = (text: string) => async (cmd: string, args: string[], input?: string) => {
    calls.push(`${cmd} ${args.join(' ')}${input ? `\n${input}` : ''}`);
    return text;
  };
  assert.equal(await removeIptablesLeftovers(run(listing)), true);
  assert.match(
    calls[1] ?? '',
    /-D POSTROUTING -m comment --comment "x" -j WAGGLE_POST_nat\n-X WAGGLE_POST_nat/,
  );
  calls.length = 0;
  assert.equal(await removeIptablesLeftovers(run('-P POSTROUTING ACCEPT\n')), false);
  assert.equal(calls.length, 1);
});

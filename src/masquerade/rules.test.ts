import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyInput, chainRules, JUMP_RULE, jumpLines, removeInput } from './rules.js';

describe('masquerade rules', () => {
  test('native-routing CIDR, every nonMasqueradeCIDR and link-local return before the MASQUERADE', () => {
    const text = applyInput(
      {
        podCidr: '10.200.1.0/24',
        nativeRoutingCidr: '10.200.0.0/16',
        ipMasqAgent: {
          nonMasqueradeCIDRs: ['192.168.0.0/16', '10.200.0.0/16', '172.16.0.0/12'],
          masqLinkLocal: false,
        },
      },
      false,
    );
    assert.equal(
      text,
      [
        '*nat',
        ':WAGGLE_POST_nat - [0:0]',
        '-A WAGGLE_POST_nat -d 10.200.0.0/16 -m comment --comment "waggle: native-routing-cidr" -j RETURN',
        '-A WAGGLE_POST_nat -d 192.168.0.0/16 -m comment --comment "waggle: ip-masq-agent nonMasqueradeCIDRs" -j RETURN',
        '-A WAGGLE_POST_nat -d 172.16.0.0/12 -m comment --comment "waggle: ip-masq-agent nonMasqueradeCIDRs" -j RETURN',
        '-A WAGGLE_POST_nat -d 169.254.0.0/16 -m comment --comment "waggle: link-local, masqLinkLocal false" -j RETURN',
        '-A WAGGLE_POST_nat -s 10.200.1.0/24 ! -o waggle_host -m comment --comment "waggle: masquerade pods leaving the cluster" -j MASQUERADE',
        '-A POSTROUTING -m comment --comment "waggle: masquerade pod traffic leaving the node" -j WAGGLE_POST_nat',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  test('an existing jump is not added again; masqLinkLocal drops the link-local return', () => {
    const text = applyInput(
      {
        podCidr: '10.200.1.0/24',
        nativeRoutingCidr: undefined,
        ipMasqAgent: { nonMasqueradeCIDRs: [], masqLinkLocal: true },
      },
      true,
    );
    assert.equal(
      text,
      [
        '*nat',
        ':WAGGLE_POST_nat - [0:0]',
        '-A WAGGLE_POST_nat -d 10.200.1.0/24 -m comment --comment "waggle: pod CIDR (no native-routing-cidr)" -j RETURN',
        '-A WAGGLE_POST_nat -s 10.200.1.0/24 ! -o waggle_host -m comment --comment "waggle: masquerade pods leaving the cluster" -j MASQUERADE',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  test('without the ip-masq-agent there is no link-local return', () => {
    const rules = chainRules({ podCidr: '10.1.0.0/24', nativeRoutingCidr: '10.0.0.0/8' });
    assert.equal(rules.length, 2);
    assert.ok(!rules.some((r) => r.includes('169.254.0.0/16')));
  });

  test('jump lines are found in an iptables -S listing, other POSTROUTING rules ignored', () => {
    const listing = [
      '-P POSTROUTING ACCEPT',
      '-A POSTROUTING -s 10.9.0.0/16 -j MASQUERADE',
      JUMP_RULE,
      '-A POSTROUTING -j WAGGLE_POST_nat',
      '-A POSTROUTING -j WAGGLE_POST_nat_other',
      '',
    ].join('\n');
    assert.deepEqual(jumpLines(listing), [JUMP_RULE, '-A POSTROUTING -j WAGGLE_POST_nat']);
  });

  test('removal empties the chain, deletes each jump by its spec, then the chain', () => {
    assert.equal(
      removeInput([JUMP_RULE]),
      [
        '*nat',
        ':WAGGLE_POST_nat - [0:0]',
        '-D POSTROUTING -m comment --comment "waggle: masquerade pod traffic leaving the node" -j WAGGLE_POST_nat',
        '-X WAGGLE_POST_nat',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });
});

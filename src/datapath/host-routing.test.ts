import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseHostRouting, missingHostRoutingHelpers } from './host-routing.js';

test('eBPF host routing only when asked for, supported, and not behind iptables masquerading', () => {
  const base = { legacyRequested: false, missingHelpers: [], masquerade: 'bpf' } as const;
  assert.deepEqual(chooseHostRouting(base), { mode: 'BPF' });
  assert.deepEqual(chooseHostRouting({ ...base, masquerade: 'disabled' }), { mode: 'BPF' });
  assert.deepEqual(chooseHostRouting({ ...base, legacyRequested: true }), { mode: 'Legacy' });
  const old = chooseHostRouting({ ...base, missingHelpers: ['redirect_neigh', 'redirect_peer'] });
  assert.equal(old.mode, 'Legacy');
  assert.match(old.reason ?? '', /lacks bpf_redirect_neigh, bpf_redirect_peer/);
  const ipt = chooseHostRouting({ ...base, masquerade: 'iptables' });
  assert.equal(ipt.mode, 'Legacy');
  assert.match(ipt.reason ?? '', /--enable-bpf-masquerade/);
});

test('this kernel has every helper eBPF host routing uses (asked of the kernel)', () => {
  assert.deepEqual(missingHostRoutingHelpers(), []);
});

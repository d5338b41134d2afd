// Table-driven tests of the pure allocator: every rule of Cilium's operator/pkg/lbipam/lbipam.go with the
// exact reason and message Cilium writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sim } from './sim.js';

const LB = { type: 'LoadBalancer' } as const;
const lb = (extra: Record<string, unknown> = {}) => ({ ...LB, ...extra });
const cidr = (c: string) => ({ cidr: c });
const NO_POOL = 'There are no enabled CiliumLoadBalancerIPPools that match this service';
const OUT = 'All enabled CiliumLoadBalancerIPPools that match this service ran out of allocatable IPs';

interface Case {
  name: string;
  run(s: Sim): void;
  /** service name (or ns/name) → [EXTERNAL-IP, reason | undefined for no condition, message?] */
  expect: Record<string, [string, string | undefined, string?]>;
}

const cases: Case[] = [
  {
    name: 'seed: <pending> without a pool, then 10.0.10.0 and 10.0.10.1',
    run: (s) => {
      s.service('cilium-ingress-basic-ingress');
      assert.equal(s.external('cilium-ingress-basic-ingress'), '<pending>');
      assert.equal(s.condition('cilium-ingress-basic-ingress'), undefined, 'dormant: no condition yet');
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')] });
      s.service('second');
    },
    expect: {
      'cilium-ingress-basic-ingress': ['10.0.10.0', 'satisfied', ''],
      second: ['10.0.10.1', 'satisfied'],
    },
  },
  {
    name: 'allowFirstLastIPs "No" reserves the first and last IP of a /24',
    run: (s) => {
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')], allowFirstLastIPs: 'No' });
      s.service('a');
      s.service('b');
      s.service('last', lb({ loadBalancerIP: '10.0.10.255' }));
    },
    expect: {
      a: ['10.0.10.1', 'satisfied'],
      b: ['10.0.10.2', 'satisfied'],
      last: [
        '<pending>',
        'already_allocated',
        "The IP '10.0.10.255' is already allocated to another service",
      ],
    },
  },
  {
    name: '"No" on a /30 leaves two IPs; on a /31 and start/stop blocks nothing is reserved',
    run: (s) => {
      s.pool('p30', {
        blocks: [cidr('10.1.0.0/30')],
        allowFirstLastIPs: 'No',
        serviceSelector: { matchLabels: { p: '30' } },
      });
      s.pool('p31', {
        blocks: [cidr('10.2.0.0/31')],
        allowFirstLastIPs: 'No',
        serviceSelector: { matchLabels: { p: '31' } },
      });
      s.pool('pss', {
        blocks: [{ start: '10.3.0.0', stop: '10.3.0.1' }],
        allowFirstLastIPs: 'No',
        serviceSelector: { matchLabels: { p: 'ss' } },
      });
      for (const [p, n] of [
        ['30', 3],
        ['31', 2],
        ['ss', 2],
      ] as const) {
        for (let i = 0; i < n; i++) s.service(`s${p}-${i}`, LB, { labels: { p } });
      }
    },
    expect: {
      's30-0': ['10.1.0.1', 'satisfied'],
      's30-1': ['10.1.0.2', 'satisfied'],
      's30-2': ['<pending>', 'out_of_ips', OUT],
      's31-0': ['10.2.0.0', 'satisfied'],
      's31-1': ['10.2.0.1', 'satisfied'],
      'sss-0': ['10.3.0.0', 'satisfied'],
      'sss-1': ['10.3.0.1', 'satisfied'],
    },
  },
  {
    name: 'a start without stop is a single IP; a misaligned CIDR is masked',
    run: (s) => {
      s.pool('one', { blocks: [{ start: '192.0.2.7' }] });
      s.service('a');
      s.service('b');
      s.pool('masked', { blocks: [cidr('198.51.100.170/30')] });
    },
    expect: { a: ['192.0.2.7', 'satisfied'], b: ['198.51.100.168', 'satisfied'] },
  },
  {
    name: 'the smallest free block is reused first, at its lowest address',
    run: (s) => {
      s.pool('lb', { blocks: [cidr('10.0.0.0/24')] });
      for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) s.service(n);
      s.deleteService('b'); // hole of 1 at .1
      s.deleteService('d');
      s.deleteService('e'); // hole of 2 at .3-.4
      s.service('g');
      s.service('h');
    },
    expect: { g: ['10.0.0.1', 'satisfied'], h: ['10.0.0.3', 'satisfied'], f: ['10.0.0.5', 'satisfied'] },
  },
  {
    name: 'IPv6 blocks, single-stack IPv6 and dual-stack services (v4 before v6 in ingress)',
    run: (s) => {
      s.pool('v4', { blocks: [cidr('10.0.10.0/24')] });
      s.pool('v6', { blocks: [cidr('2001:db8::/64')], allowFirstLastIPs: 'No' });
      s.service('six', lb({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] }));
      s.service('dual', lb({ ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6', 'IPv4'] }));
      s.service('first-family', lb({ ipFamilies: ['IPv6', 'IPv4'] }));
    },
    expect: {
      six: ['2001:db8::1', 'satisfied'],
      dual: ['10.0.10.0,2001:db8::2', 'satisfied'],
      'first-family': ['2001:db8::3', 'satisfied'],
    },
  },
  {
    name: 'RequireDualStack with only a v4 pool keeps the v4 IP and reports no_pool',
    run: (s) => {
      s.pool('v4', { blocks: [cidr('10.0.10.0/24')] });
      s.service('dual', lb({ ipFamilyPolicy: 'RequireDualStack' }));
    },
    expect: { dual: ['10.0.10.0', 'no_pool', NO_POOL] },
  },
  {
    name: 'ownership: other classes and non-LB types are ignored; l2-announcer class is owned',
    run: (s) => {
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')] });
      s.service('bgp', lb({ loadBalancerClass: 'io.cilium/bgp-control-plane' }));
      s.service('cip', { type: 'ClusterIP' });
      s.service('l2', lb({ loadBalancerClass: 'io.cilium/l2-announcer' }));
    },
    expect: { bgp: ['<pending>', undefined], cip: ['<pending>', undefined], l2: ['10.0.10.0', 'satisfied'] },
  },
  {
    name: 'a service that stops being owned loses IP, ingress and condition; the IP is reused',
    run: (s) => {
      s.pool('lb', { blocks: [{ start: '10.0.10.5' }] });
      s.service('a');
      s.service('b');
      assert.equal(s.condition('b')?.reason, 'out_of_ips');
      s.service('a', { type: 'ClusterIP' });
    },
    expect: { a: ['<pending>', undefined], b: ['10.0.10.5', 'satisfied'] },
  },
  {
    name: 'serviceSelector with the synthetic namespace/name labels; no match is no_pool',
    run: (s) => {
      s.pool('team', {
        blocks: [cidr('10.9.0.0/24')],
        serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'team' } },
      });
      s.pool('named', {
        blocks: [cidr('10.8.0.0/24')],
        serviceSelector: {
          matchExpressions: [{ key: 'io.kubernetes.service.name', operator: 'In', values: ['web'] }],
        },
      });
      s.service('api', LB, { namespace: 'team' });
      s.service('web');
      s.service('other');
    },
    expect: {
      'team/api': ['10.9.0.0', 'satisfied'],
      web: ['10.8.0.0', 'satisfied'],
      other: ['<pending>', 'no_pool', NO_POOL],
    },
  },
  {
    name: 'a disabled pool keeps existing allocations and makes no new ones',
    run: (s) => {
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')] });
      s.service('kept');
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')], disabled: true });
      s.service('new');
      s.service('asks', lb({ loadBalancerIP: '10.0.10.9' }));
    },
    expect: {
      kept: ['10.0.10.0', 'satisfied'],
      new: ['<pending>', 'no_pool', NO_POOL],
      asks: ['<pending>', 'no_pool', "No pool exists with a CIDR containing '10.0.10.9'"],
    },
  },
  {
    name: 'requested IPs: loadBalancerIP first, then the annotation (and its legacy alias); bad entries skipped',
    run: (s) => {
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')] });
      s.service('both', lb({ loadBalancerIP: '10.0.10.20' }), {
        annotations: { 'lbipam.cilium.io/ips': ' 10.0.10.9 , bogus,10.0.10.9' },
      });
      s.service('legacy', LB, { annotations: { 'io.cilium/lb-ipam-ips': '10.0.10.30' } });
      s.service('primary-wins', LB, {
        annotations: { 'lbipam.cilium.io/ips': '10.0.10.40', 'io.cilium/lb-ipam-ips': '10.0.10.41' },
      });
    },
    expect: {
      both: ['10.0.10.20,10.0.10.9', 'satisfied'],
      legacy: ['10.0.10.30', 'satisfied'],
      'primary-wins': ['10.0.10.40', 'satisfied'],
    },
  },
  {
    name: 'requested IP errors: no pool, selector mismatch, already allocated',
    run: (s) => {
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')], serviceSelector: { matchLabels: { app: 'x' } } });
      s.service('outside', lb({ loadBalancerIP: '10.7.7.7' }), { labels: { app: 'x' } });
      s.service('mismatch', lb({ loadBalancerIP: '10.0.10.7' }));
      s.service('holder', lb({ loadBalancerIP: '10.0.10.8' }), { labels: { app: 'x' } });
      s.service('taken', lb({ loadBalancerIP: '10.0.10.8' }), { labels: { app: 'x' } });
    },
    expect: {
      outside: ['<pending>', 'no_pool', "No pool exists with a CIDR containing '10.7.7.7'"],
      mismatch: [
        '<pending>',
        'pool_selector_mismatch',
        "The pool with the CIDR containing '10.0.10.7', doesn't select this service",
      ],
      holder: ['10.0.10.8', 'satisfied'],
      taken: ['<pending>', 'already_allocated', "The IP '10.0.10.8' is already allocated to another service"],
    },
  },
  {
    name: 'sharing: same key and distinct ports share; each rule of §3.6 refuses with its reason',
    run: (s) => {
      s.pool('lb', { blocks: [cidr('10.0.10.0/24')] });
      const key = (k: string, extra: Record<string, string> = {}) => ({
        annotations: { 'lbipam.cilium.io/sharing-key': k, ...extra },
      });
      const ports = (...p: number[]) => p.map((port) => ({ port }));
      s.service('a', lb({ ports: ports(80) }), key('k'));
      s.service('b', lb({ ports: ports(443) }), key('k'));
      s.service('c', lb({ ports: ports(80), loadBalancerIP: '10.0.10.0' }), key('k'));
      s.service('d', lb({ ports: ports(53), loadBalancerIP: '10.0.10.0' }), key('other'));
      s.service('e', lb({ ports: ports(54), loadBalancerIP: '10.0.10.0' }), {
        ...key('k'),
        namespace: 'elsewhere',
      });
      s.service(
        'f',
        lb({ ports: ports(55), loadBalancerIP: '10.0.10.0', externalTrafficPolicy: 'Local' }),
        key('k'),
      );
      const cross = key('k', { 'lbipam.cilium.io/sharing-cross-namespace': '*' });
      s.service('g', lb({ ports: ports(56) }), { ...cross, namespace: 'ns1' });
      s.service('h', lb({ ports: ports(57) }), { ...cross, namespace: 'ns2' });
      const local = { externalTrafficPolicy: 'Local', ports: ports(58) };
      s.service('i', lb({ ...local, selector: { app: 'i' } }), key('loc'));
      s.service(
        'j',
        lb({ ...local, ports: ports(59), selector: { app: 'j' }, loadBalancerIP: s.external('i') }),
        key('loc'),
      );
    },
    expect: {
      a: ['10.0.10.0', 'satisfied'],
      b: ['10.0.10.0', 'satisfied'],
      c: [
        '<pending>',
        'already_allocated_incompatible_service',
        "The IP '10.0.10.0' is already allocated to an incompatible service. Reason: same port",
      ],
      d: [
        '<pending>',
        'already_allocated_incompatible_service',
        "The IP '10.0.10.0' is already allocated to an incompatible service. Reason: different sharing key",
      ],
      'elsewhere/e': [
        '<pending>',
        'already_allocated_incompatible_service',
        "The IP '10.0.10.0' is already allocated to an incompatible service. Reason: different and not permitted namespace",
      ],
      f: [
        '<pending>',
        'already_allocated_incompatible_service',
        "The IP '10.0.10.0' is already allocated to an incompatible service. Reason: different ExternalTrafficPolicy",
      ],
      'ns1/g': ['10.0.10.1', 'satisfied'],
      'ns2/h': ['10.0.10.1', 'satisfied'],
      i: ['10.0.10.2', 'satisfied'],
      j: [
        '<pending>',
        'already_allocated_incompatible_service',
        "The IP '10.0.10.2' is already allocated to an incompatible service. Reason: compatible ExternalTrafficPolicy local but selecting different set of pods",
      ],
    },
  },
  {
    name: 'out_of_ips once every matching range is full',
    run: (s) => {
      s.pool('tiny', { blocks: [cidr('10.0.0.0/32'), { start: '10.0.1.0', stop: '10.0.1.1' }] });
      for (const n of ['a', 'b', 'c', 'd']) s.service(n);
    },
    expect: {
      a: ['10.0.0.0', 'satisfied'],
      b: ['10.0.1.0', 'satisfied'],
      c: ['10.0.1.1', 'satisfied'],
      d: ['<pending>', 'out_of_ips', OUT],
    },
  },
  {
    name: 'several matching pools: the oldest first, blocks in spec order, then the next pool',
    run: (s) => {
      s.pool('zeta-old', { blocks: [{ start: '10.0.2.0' }, { start: '10.0.1.0' }] });
      s.pool('alpha-new', { blocks: [cidr('10.0.0.0/24')] });
      for (const n of ['a', 'b', 'c']) s.service(n);
    },
    expect: { a: ['10.0.2.0', 'satisfied'], b: ['10.0.1.0', 'satisfied'], c: ['10.0.0.0', 'satisfied'] },
  },
];

describe('LB-IPAM allocator rules', () => {
  for (const c of cases) {
    it(c.name, () => {
      const s = new Sim();
      c.run(s);
      for (const [who, [ext, reason, message]] of Object.entries(c.expect)) {
        const [ns, name] = who.includes('/') ? (who.split('/') as [string, string]) : ['default', who];
        assert.equal(s.external(name, ns), ext, `${who} EXTERNAL-IP`);
        const cond = s.condition(name, ns);
        assert.equal(cond?.reason, reason, `${who} reason`);
        if (reason !== undefined) assert.equal(cond?.status, reason === 'satisfied' ? 'True' : 'False');
        if (message !== undefined) assert.equal(cond?.message, message, `${who} message`);
      }
    });
  }
});

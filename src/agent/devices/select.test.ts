// Native device selection: --devices patterns (regex anchored on the whole name, "+" prefix
// wildcard) and auto-detection (up, not loopback, has an address, not one of our own devices),
// first on hand-made device lists, then on what `ip -j -d addr` reports in a real namespace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sh } from '../../testing/exec.js';
import { TestNetns } from '../../testing/netns.js';
import { type Device, parseIpAddr } from './discover.js';
import { compileDevicePatterns, isLinkLocal, selectNativeDevices } from './select.js';

let nextIndex = 1;
const dev = (name: string, over: Partial<Device> = {}): Device => ({
  name,
  ifindex: nextIndex++,
  mac: `02:00:00:00:00:${String(nextIndex).padStart(2, '0')}`,
  up: true,
  loopback: false,
  kind: '',
  addresses: ['10.1.0.1'],
  ...over,
});
const names = (ds: Device[]) => ds.map((d) => d.name);

describe('compileDevicePatterns', () => {
  const matches = (pattern: string, name: string) => compileDevicePatterns([pattern])[0]?.test(name);

  it('"eth+" is a prefix wildcard', () => {
    assert.equal(matches('eth+', 'eth0'), true);
    assert.equal(matches('eth+', 'eth10'), true);
    assert.equal(matches('eth+', 'eth'), true);
    assert.equal(matches('eth+', 'veth0'), false);
  });

  it('a dot in a "+" prefix is literal', () => {
    assert.equal(matches('eth0.+', 'eth0.100'), true);
    assert.equal(matches('eth0.+', 'eth0x100'), false);
  });

  it('anything else is a regex matched against the whole name', () => {
    assert.equal(matches('eth1', 'eth1'), true);
    assert.equal(matches('eth1', 'eth10'), false, 'anchored at the end');
    assert.equal(matches('eth1', 'veth1'), false, 'anchored at the start');
    assert.equal(matches('eth[0-9]', 'eth7'), true);
    assert.equal(matches('eth0|bond0', 'bond0'), true, 'alternation is grouped, both sides anchored');
    assert.equal(matches('eth0|bond0', 'bond01'), false);
  });

  it('an invalid regex is a one-line error naming --devices and the entry', () => {
    assert.throws(
      () => compileDevicePatterns(['eth0', 'eth[0-']),
      (err: Error) => /^--devices "eth\[0-": /.test(err.message) && !err.message.includes('\n'),
    );
  });
});

describe('selectNativeDevices', () => {
  const all = [
    dev('lo', { loopback: true, addresses: ['127.0.0.1'], mac: '00:00:00:00:00:00' }),
    dev('eth0'),
    dev('eth1'),
    dev('eth2', { up: false }),
    dev('eth3', { addresses: [] }),
    dev('eth4', { addresses: ['fe80::1', '169.254.3.4'] }),
    dev('eth5', { addresses: ['fe80::2', '2001:db8::5'] }),
    dev('lxc12ab', { kind: 'veth' }),
    dev('cilium_host', { kind: 'veth' }),
    dev('waggle_net', { kind: 'veth' }),
    dev('tun0', { mac: '' }),
    dev('bond0', { kind: 'bond' }),
  ];

  it('auto-detects up, non-loopback devices with a non-link-local address, skipping ours and MAC-less ones', () => {
    const auto = ['eth0', 'eth1', 'eth5', 'bond0'];
    assert.deepEqual(names(selectNativeDevices(all, undefined)), auto);
    assert.deepEqual(names(selectNativeDevices(all, [])), auto, 'no patterns = auto');
  });

  it('with --devices, the patterns decide (down or address-less devices included), never loopback', () => {
    assert.deepEqual(names(selectNativeDevices(all, compileDevicePatterns(['eth+']))), [
      'eth0',
      'eth1',
      'eth2',
      'eth3',
      'eth4',
      'eth5',
    ]);
    assert.deepEqual(names(selectNativeDevices(all, compileDevicePatterns(['eth1', 'bond0']))), [
      'eth1',
      'bond0',
    ]);
    assert.deepEqual(names(selectNativeDevices(all, compileDevicePatterns(['lo', 'tun0']))), []);
    assert.deepEqual(names(selectNativeDevices(all, compileDevicePatterns(['lxc.*']))), ['lxc12ab']);
  });
});

describe('discovery in a real namespace (ip -j -d addr)', () => {
  let ns: TestNetns;

  before(() => {
    ns = TestNetns.create('dsel');
    // Veth pairs (no dummy module here): ethN is the candidate, lxcpeerN one of "ours".
    for (const i of [0, 1, 2]) ns.ip('link', 'add', `eth${i}`, 'type', 'veth', 'peer', 'name', `lxcpeer${i}`);
    for (const d of ['eth0', 'eth1', 'lxcpeer0', 'lxcpeer1', 'lxcpeer2']) ns.ip('link', 'set', d, 'up');
    ns.ip('addr', 'add', '10.77.0.1/24', 'dev', 'eth0');
    ns.ip('addr', 'add', '10.77.1.1/24', 'dev', 'lxcpeer0'); // up with an address, but ours
    // eth1: up, no IPv4 address; eth2: an address, but down.
    ns.ip('addr', 'add', '10.77.2.1/24', 'dev', 'eth2');
  });

  after(() => {
    ns?.destroy();
  });

  const discovered = () => parseIpAddr(sh('ip', ['-n', ns.name, '-j', '-d', 'addr', 'show']).stdout);

  it('parses name, ifindex, MAC, state, kind and addresses as netlink reports them', () => {
    const ds = discovered();
    const eth0 = ds.find((d) => d.name === 'eth0');
    assert.ok(eth0);
    assert.equal(eth0.ifindex, ns.ifindex('eth0'));
    assert.equal(eth0.mac, ns.mac('eth0'));
    assert.equal(eth0.up, true);
    assert.equal(eth0.kind, 'veth');
    assert.equal(eth0.addresses[0], '10.77.0.1');
    assert.ok(eth0.addresses.slice(1).every(isLinkLocal), `only link-local besides: ${eth0.addresses}`);
    const eth1 = ds.find((d) => d.name === 'eth1');
    assert.ok(
      eth1?.addresses.length && eth1.addresses.every(isLinkLocal),
      'eth1 has only its fe80:: address',
    );
    const lo = ds.find((d) => d.name === 'lo');
    assert.equal(lo?.loopback, true);
    assert.deepEqual(lo?.addresses, [], '127.0.0.1 is scope host');
    assert.equal(ds.find((d) => d.name === 'eth2')?.up, false);
    assert.equal(ds.find((d) => d.name === 'lxcpeer1')?.kind, 'veth');
  });

  it('auto-detection picks only eth0; "eth+" picks eth0, eth1 and eth2', () => {
    assert.deepEqual(names(selectNativeDevices(discovered(), undefined)), ['eth0']);
    assert.deepEqual(names(selectNativeDevices(discovered(), compileDevicePatterns(['eth+']))).sort(), [
      'eth0',
      'eth1',
      'eth2',
    ]);
  });
});

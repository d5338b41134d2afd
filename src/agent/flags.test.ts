// `waggle agent` flags: --node-labels parsing, defaults, and bad values rejected with a one-line
// error naming the flag — both through parseAgentFlags and through the real CLI, which must fail
// before it loads a datapath or contacts a store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sh } from '../testing/exec.js';
import { type AgentFlags, parseAgentFlags, parseLabels } from './flags.js';

const base: AgentFlags = {
  node: 'node-a',
  store: 'etcd://127.0.0.1:2379',
  agentLivenessUpdateInterval: '1s',
  l2AnnouncementsLeaseDuration: '15s',
  l2AnnouncementsRenewDeadline: '5s',
  l2AnnouncementsRetryPeriod: '2s',
  gratuitousArpCount: '1',
  gratuitousArpInterval: '1s',
};

describe('--node-labels', () => {
  it('parses k=v pairs; a key alone or with "=" gets an empty value', () => {
    assert.deepEqual(parseLabels('zone=a,tier=edge'), { zone: 'a', tier: 'edge' });
    assert.deepEqual(parseLabels('node-role.kubernetes.io/control-plane='), {
      'node-role.kubernetes.io/control-plane': '',
    });
    assert.deepEqual(parseLabels('gpu'), { gpu: '' });
    assert.deepEqual(parseLabels('a=x=y'), { a: 'x=y' }, 'only the first "=" splits');
    assert.deepEqual(parseLabels(undefined), {});
    assert.deepEqual(parseLabels('a=1,,b=2'), { a: '1', b: '2' }, 'empty parts are ignored');
  });

  it('an empty key is an error naming the flag and the part', () => {
    assert.throws(() => parseLabels('a=1,=x'), /^Error: --node-labels "a=1,=x": empty label key in "=x"$/);
  });

  it('reaches the config', () => {
    const cfg = parseAgentFlags({ ...base, nodeLabels: 'zone=a' }, () => {});
    assert.deepEqual(cfg.nodeLabels, { zone: 'a' });
    assert.deepEqual(parseAgentFlags(base, () => {}).nodeLabels, {});
  });
});

describe('parseAgentFlags', () => {
  it('defaults: pin dir and API socket per node, auto-detected devices, no metrics', () => {
    const cfg = parseAgentFlags(base, () => {});
    assert.equal(cfg.pinDir, '/sys/fs/bpf/waggle/node-a');
    assert.equal(cfg.apiSocket, '/run/waggle/node-a/agent.sock');
    assert.equal(cfg.devicePatterns, undefined);
    assert.equal(cfg.metrics, undefined);
    assert.deepEqual(cfg.timings, { leaseDurationMs: 15_000, renewDeadlineMs: 5000, retryPeriodMs: 2000 });
    assert.equal(cfg.leaseDurationMs, 15_000);
    assert.equal(cfg.nodeStatusUpdateFrequencyMs, 10_000, "kubelet's --node-status-update-frequency");
    assert.equal(
      parseAgentFlags({ ...base, nodeStatusUpdateFrequency: '250ms' }, () => {}).nodeStatusUpdateFrequencyMs,
      250,
    );
  });

  it('--devices compiles each comma-separated entry', () => {
    const cfg = parseAgentFlags({ ...base, devices: 'eth+,bond0' }, () => {});
    assert.deepEqual(
      cfg.devicePatterns?.map((r) => ['eth7', 'bond0', 'bond01'].filter((n) => r.test(n))),
      [['eth7'], ['bond0']],
    );
  });

  it('--metrics-addr: HOST:PORT, an empty host means every address', () => {
    assert.deepEqual(parseAgentFlags({ ...base, metricsAddr: '127.0.0.1:9962' }, () => {}).metrics, {
      host: '127.0.0.1',
      port: 9962,
    });
    assert.deepEqual(parseAgentFlags({ ...base, metricsAddr: ':9962' }, () => {}).metrics, {
      host: '0.0.0.0',
      port: 9962,
    });
  });

  it('sanitises timings like Cilium and warns; the datapath keeps the raw lease duration', () => {
    const warnings: string[] = [];
    const cfg = parseAgentFlags(
      { ...base, l2AnnouncementsLeaseDuration: '4s', l2AnnouncementsRenewDeadline: '6s' },
      (w) => warnings.push(w),
    );
    assert.equal(cfg.timings.renewDeadlineMs, 2000);
    assert.equal(cfg.timings.retryPeriodMs, 1000, 'renew 2s ≤ 1.2 × retry 2s → retry = renew/2');
    assert.equal(cfg.leaseDurationMs, 4000);
    assert.equal(warnings.length, 2);
  });

  const bad: Array<[Partial<AgentFlags>, RegExp]> = [
    [{ node: 'Node_A' }, /^--node "Node_A": not a valid node name$/],
    [{ devices: 'eth0,eth[0-' }, /^--devices "eth\[0-": /],
    [{ gratuitousArpCount: '0' }, /^--gratuitous-arp-count "0": must be an integer 1\.\.100$/],
    [{ gratuitousArpCount: '1.5' }, /^--gratuitous-arp-count "1\.5"/],
    [{ agentLivenessUpdateInterval: '0' }, /^--agent-liveness-update-interval "0": must be > 0$/],
    [{ l2AnnouncementsLeaseDuration: '15' }, /^--l2-announcements-lease-duration "15": not a duration/],
    [{ nodeStatusUpdateFrequency: '0' }, /^--node-status-update-frequency "0": must be > 0$/],
    [{ nodeStatusUpdateFrequency: '10' }, /^--node-status-update-frequency "10": not a duration/],
    [{ metricsAddr: 'localhost' }, /^--metrics-addr "localhost": expected HOST:PORT$/],
    [{ metricsAddr: ':70000' }, /^--metrics-addr ":70000": expected HOST:PORT$/],
    [{ nodeLabels: '=v' }, /^--node-labels "=v": empty label key/],
  ];
  for (const [flags, message] of bad) {
    it(`rejects ${JSON.stringify(flags)} with one line naming the flag`, () => {
      assert.throws(
        () => parseAgentFlags({ ...base, ...flags }, () => {}),
        (err: Error) => message.test(err.message) && !err.message.includes('\n'),
      );
    });
  }
});

describe('waggle agent with a bad flag (real CLI)', () => {
  it('exits 1 with one line on stderr, before touching the store or the kernel', () => {
    const sock = `/run/waggle-flags-test-${process.pid}.sock`;
    const r = sh(
      'node',
      [
        'bin/waggle.js',
        '--store',
        'etcd://127.0.0.1:1', // never contacted: parsing fails first
        'agent',
        '--node',
        'node-a',
        '--node-labels',
        'zone=a,=b',
        '--api-socket',
        sock,
        '--pin-dir',
        `/run/waggle-flags-test-${process.pid}`,
      ],
      { allowFail: true, timeoutMs: 20_000 },
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'waggle: --node-labels "zone=a,=b": empty label key in "=b"\n');
    assert.equal(r.stdout, '', 'nothing started (no datapath or agent log line)');
    assert.equal(sh('test', ['-e', sock], { allowFail: true }).code, 1, 'no API socket created');
  });
});

describe('--enable-bpf-masquerade, --enable-host-legacy-routing', () => {
  it('defaults: iptables masquerading, legacy host routing', () => {
    const cfg = parseAgentFlags(base, () => {});
    assert.equal(cfg.masquerade.mode, 'iptables');
    assert.equal(cfg.routing.hostLegacyRouting, true);
  });

  it('eBPF masquerading with the native routing CIDR; host routing as Go booleans', () => {
    const cfg = parseAgentFlags(
      {
        ...base,
        enableBpfMasquerade: true,
        ipv4NativeRoutingCidr: '10.200.0.0/16',
        enableHostLegacyRouting: 'false',
      },
      () => {},
    );
    assert.equal(cfg.masquerade.mode, 'bpf');
    assert.equal(cfg.routing.hostLegacyRouting, false);
    assert.equal(
      parseAgentFlags({ ...base, enableHostLegacyRouting: 'true' }, () => {}).routing.hostLegacyRouting,
      true,
    );
  });

  it("Cilium's --bpf-lb-sock=false and --enable-ipv4-masquerade=false as Go booleans", () => {
    const off = parseAgentFlags({ ...base, bpfLbSock: 'false', enableIpv4Masquerade: 'false' }, () => {});
    assert.equal(off.services.socketLb, false);
    assert.equal(off.masquerade.enabled, false);
    const on = parseAgentFlags({ ...base, bpfLbSock: true, enableIpv4Masquerade: 'true' }, () => {});
    assert.equal(on.services.socketLb, true);
    assert.throws(
      () => parseAgentFlags({ ...base, bpfLbSock: 'no' }, () => {}),
      /^Error: --bpf-lb-sock "no": must be true or false$/,
    );
  });

  it('bad values name the flag', () => {
    assert.throws(
      () => parseAgentFlags({ ...base, enableBpfMasquerade: true }, () => {}),
      /^Error: --enable-bpf-masquerade: needs --ipv4-native-routing-cidr/,
    );
    assert.throws(
      () => parseAgentFlags({ ...base, enableHostLegacyRouting: 'maybe' }, () => {}),
      /^Error: --enable-host-legacy-routing "maybe": must be true or false$/,
    );
  });
});

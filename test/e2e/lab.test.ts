// The lab on this host: `lab up` builds the seed's topology exactly, inside namespaces only;
// the supervisor restarts what crashes and leaves alone what `lab kill` stopped; `lab down`
// leaves nothing behind, also after a killed `up` or a crashed supervisor.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { sh } from '../../src/testing/exec.js';
import { HOSTS } from '../../src/lab/topology.js';
import { cliCopyForNobody } from '../../src/testing/unprivileged.js';
import { hostLabLinks, labNetns, leftovers, nsLinks, waggle } from './lab-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidOf(id: string): number | undefined {
  try {
    return Number(readFileSync(`/run/waggle/lab/pids/${id}.pid`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

async function waitUntil(what: string, ms: number, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

/** tc programs attached in the lab's namespaces (none until agents exist), to check they go. */
function labTcProgIds(): number[] {
  const ids: number[] = [];
  for (const ns of labNetns()) {
    const out = sh('ip', ['netns', 'exec', ns, 'bpftool', '-j', 'net', 'show'], { allowFail: true }).stdout;
    for (const m of out.matchAll(/"prog_id":\s*(\d+)/g)) ids.push(Number(m[1]));
  }
  return ids;
}

describe('lab up / status / kill / restart / down', { concurrency: false }, () => {
  before(() => {
    waggle(['lab', 'down']);
  });
  after(() => {
    waggle(['lab', 'down']);
  });

  test('lab up builds the seed topology in namespaces only', () => {
    const up = waggle(['lab', 'up']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /\[1\/4\] network/);
    assert.deepEqual(labNetns().sort(), [
      'waggle-jumpbox',
      'waggle-lab',
      'waggle-node-0',
      'waggle-node-1',
      'waggle-server',
    ]);
    for (const host of HOSTS) {
      const links = nsLinks(host.netns);
      for (const iface of host.ifaces) {
        const l = links.find((x) => x.ifname === iface.dev);
        assert.ok(l, `${host.name} has ${iface.dev}`);
        assert.equal(l.address, iface.mac, `${host.name} ${iface.dev} MAC`);
        const [addr, len] = iface.cidr.split('/');
        assert.ok(
          l.addr_info.some((a) => a.family === 'inet' && a.local === addr && a.prefixlen === Number(len)),
          `${host.name} ${iface.dev} has ${iface.cidr}`,
        );
      }
    }
    const bridged = nsLinks('waggle-lab')
      .filter((l) => l.master === 'br-eth1')
      .map((l) => l.ifname)
      .sort();
    assert.deepEqual(bridged, ['jumpbox-eth1', 'node-0-eth1', 'node-1-eth1', 'server-eth1']);
    const routes = sh('ip', ['-n', 'waggle-jumpbox', 'route', 'show', '10.0.10.0/24']).stdout;
    assert.match(routes, /^10\.0\.10\.0\/24 dev eth1 scope link/m);
    const ping = sh(
      'ip',
      ['netns', 'exec', 'waggle-jumpbox', 'ping', '-c', '2', '-W', '2', '192.168.56.60'],
      { allowFail: true },
    );
    assert.equal(ping.code, 0, ping.stdout);
    assert.match(ping.stdout, /2 received/);
    // Nothing in the host's own namespace: no lab link, no lab address.
    assert.deepEqual(hostLabLinks(), []);
    assert.doesNotMatch(sh('ip', ['-j', 'addr', 'show']).stdout, /192\.168\.56\.|172\.16\.65\./);
  });

  test('the host reaches the lab store through the unix socket', async () => {
    assert.equal(
      readFileSync('/run/waggle/lab/store-url', 'utf8').trim(),
      'etcd+unix:///run/waggle/lab/etcd.sock:2379',
    );
    const client = new Etcd3({ hosts: 'unix:///run/waggle/lab/etcd.sock:2379' });
    try {
      const key = `lab-test-${process.pid}`;
      await client.put(key).value('from-host');
      // The same key read back through the lab's network, from the jumpbox.
      const got = sh('ip', [
        'netns',
        'exec',
        'waggle-jumpbox',
        'etcdctl',
        '--endpoints',
        'http://192.168.56.20:2379',
        'get',
        key,
      ]);
      assert.match(got.stdout, /from-host/);
      await client.delete().key(key);
    } finally {
      client.close();
    }
  });

  test('lab up again is idempotent: same supervisor, same etcd', () => {
    const sup = pidOf('supervisor');
    const etcd = pidOf('etcd-server');
    const up = waggle(['lab', 'up']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /netns waggle-node-1 present/);
    assert.match(up.stdout, /supervisor: already running/);
    assert.equal(pidOf('supervisor'), sup);
    assert.equal(pidOf('etcd-server'), etcd);
    const st = waggle(['lab', 'status']);
    assert.equal(st.code, 0, st.stdout + st.stderr);
    assert.match(st.stdout, /topology: +ok/);
    assert.match(st.stdout, /etcd-server +running/);
  });

  test('the supervisor restarts a crashed etcd; lab kill keeps it down; lab restart brings it back', async () => {
    const first = pidOf('etcd-server');
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    await waitUntil('etcd restarted', 10_000, () => (pidOf('etcd-server') ?? first) !== first);
    const second = pidOf('etcd-server');
    const kill = waggle(['lab', 'kill', 'etcd']);
    assert.equal(kill.code, 0, kill.stderr);
    assert.match(kill.stdout, new RegExp(`etcd-server pid ${second} killed`));
    await sleep(1500);
    assert.equal(pidOf('etcd-server'), undefined, 'killed on purpose: not restarted');
    assert.match(waggle(['lab', 'status']).stdout, /etcd-server +stopped/);
    const restart = waggle(['lab', 'restart', 'etcd', 'server']);
    assert.equal(restart.code, 0, restart.stderr);
    assert.match(restart.stdout, /etcd-server restarted: pid \d+/);
    assert.match(waggle(['lab', 'logs', 'etcd', '-n', '50']).stdout, /supervisor: starting etcd/);
    const bad = waggle(['lab', 'kill', 'agent', 'jumpbox']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr.trim(), /^waggle: lab: no component "agent jumpbox"/);
  });

  test('an agent crash or `lab kill` takes its helpers (ip monitor) down with it', async () => {
    const inNode1 = () =>
      sh('ip', ['netns', 'pids', 'waggle-node-1'])
        .stdout.split('\n')
        .filter((p) => /^\d+$/.test(p))
        .flatMap((p) => {
          try {
            return [readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim()];
          } catch {
            return []; // exited while we looked
          }
        });
    const ipMonitors = () => inNode1().filter((c) => c.startsWith('ip monitor')).length;
    const first = pidOf('agent-node-1');
    assert.ok(first, 'agent-node-1 runs');
    await waitUntil('the agent watches its devices', 10_000, () => ipMonitors() === 1);
    // A crash: the agent alone dies; the supervisor must not leave its `ip monitor` orphaned.
    process.kill(first, 'SIGKILL');
    await waitUntil('agent restarted', 15_000, () => (pidOf('agent-node-1') ?? first) !== first);
    await waitUntil('one ip monitor again', 10_000, () => ipMonitors() === 1);
    const kill = waggle(['lab', 'kill', 'agent', 'node-1']);
    assert.equal(kill.code, 0, kill.stderr);
    // Nothing of the agent is left; node-1's kubelet is a component of its own and stays, and so
    // does its ingress proxy (HAProxy, in a process group of its own, as cilium-envoy outlives
    // cilium-agent), which the restarted agent adopts.
    const own = (c: string) => c.includes(' lab kubelet --node node-1 ') || /^(\S*\/)?haproxy /.test(c);
    const notOwn = () => inNode1().filter((c) => !own(c));
    await waitUntil('nothing of the agent left in waggle-node-1', 5000, () => notOwn().length === 0);
    assert.ok(
      inNode1().some((c) => c.includes(' lab kubelet --node node-1 ')),
      `the kubelet remains: ${inNode1().join('; ')}`,
    );
    assert.equal(waggle(['lab', 'restart', 'agent', 'node-1']).code, 0);
  });

  test('lab down leaves no namespace, link, process, mount, pin, tc program or state', async () => {
    const progs = labTcProgIds();
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
    await waitUntil('tc programs freed', 10_000, () =>
      progs.every((id) => sh('bpftool', ['prog', 'show', 'id', String(id)], { allowFail: true }).code !== 0),
    );
    const again = waggle(['lab', 'down']);
    assert.equal(again.code, 0, 'down twice is fine');
  });
});

describe('lab after crashes', { concurrency: false }, () => {
  after(() => {
    waggle(['lab', 'down']);
  });

  test('killing lab up half-way, then lab down, leaves nothing', async () => {
    const up = spawn(process.execPath, ['bin/waggle.js', 'lab', 'up'], { stdio: 'ignore' });
    try {
      await waitUntil('up half-way (waggle-node-0 exists)', 20_000, () =>
        labNetns().includes('waggle-node-0'),
      );
    } finally {
      up.kill('SIGKILL');
    }
    await new Promise((r) => up.once('close', r));
    assert.ok(labNetns().length > 0, 'up left partial state behind');
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
  });

  test('up recovers after a killed up and after a crashed supervisor', async () => {
    const up = spawn(process.execPath, ['bin/waggle.js', 'lab', 'up'], { stdio: 'ignore' });
    try {
      await waitUntil('up half-way (waggle-server exists)', 20_000, () =>
        labNetns().includes('waggle-server'),
      );
    } finally {
      up.kill('SIGKILL');
    }
    await new Promise((r) => up.once('close', r));
    try {
      const first = waggle(['lab', 'up']);
      assert.equal(first.code, 0, `lab up after a killed up:\n${first.stdout}\n${first.stderr}`);
      const status = waggle(['lab', 'status']);
      assert.equal(status.code, 0, `lab status:\n${status.stdout}\n${status.stderr}`);
      // Crash the supervisor: its etcd lives on and the next up adopts it.
      const sup = pidOf('supervisor');
      const etcd = pidOf('etcd-server');
      assert.ok(sup && etcd, `pid files: supervisor ${sup}, etcd ${etcd}`);
      process.kill(sup, 'SIGKILL');
      await sleep(300);
      const again = waggle(['lab', 'up']);
      assert.equal(again.code, 0, `lab up after a crashed supervisor:\n${again.stdout}\n${again.stderr}`);
      assert.notEqual(pidOf('supervisor'), sup);
      assert.equal(pidOf('etcd-server'), etcd, 'the running etcd was adopted, not restarted');
    } finally {
      // Down even after a failure, so the tests after this one start from nothing.
      const down = waggle(['lab', 'down']);
      assert.equal(down.code, 0, down.stderr);
    }
    assert.deepEqual(leftovers(), []);
  });

  test('without root: one line, nothing created', () => {
    // From a copy nobody can reach, wherever this checkout lives (src/testing/unprivileged.ts).
    const cli = cliCopyForNobody();
    try {
      for (const cmd of ['up', 'demo']) {
        const res = cli.run(['lab', cmd]);
        assert.equal(res.code, 1);
        assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
        assert.match(res.stderr, new RegExp(`^waggle: lab ${cmd}: must run as root`));
        assert.deepEqual(labNetns(), []);
      }
    } finally {
      cli.remove();
    }
  });
});

// The ARP responder on a real veth pair with real arping: answered with the device's MAC while
// the agent is alive, silent once liveness goes stale, and the map counts exactly the replies
// arping saw. Everything lives in namespaces and a bpffs this test creates and removes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { arping } from '../../src/datapath/testing/arping.js';
import { createResponderLab, LAB_VIP } from '../../src/datapath/testing/responder-lab.js';
import { sh } from '../../src/testing/exec.js';
import { cliCopyForNobody } from '../../src/testing/unprivileged.js';

const MAX_LIVENESS_NS = 1_000_000_000n; // 1 s, so that staleness comes quickly

test('arping is answered by from_netdev while liveness is fresh, and not once it is stale', async () => {
  const lab = createResponderLab({ maxLivenessNs: MAX_LIVENESS_NS });
  // The agent's liveness ticker, faster than the 1 s max so it never lapses while running.
  let ticker: NodeJS.Timeout | undefined;
  try {
    lab.dp.responder.set({ ip: LAB_VIP, ifindex: lab.nodeIfindex }, { responsesSent: 0n });
    lab.touchLiveness();
    ticker = setInterval(() => lab.touchLiveness(), 100);

    const tc = lab.node.exec('tc', ['filter', 'show', 'dev', lab.nodeDev, 'ingress']).stdout;
    assert.match(tc, /from_netdev.*direct-action/);

    const alive = await arping(lab.peer, lab.peerDev, LAB_VIP, { count: 3, intervalS: 0.2, deadlineS: 5 });
    assert.equal(alive.replies.length, 3, alive.output);
    for (const r of alive.replies) {
      assert.equal(r.mac, lab.nodeMac);
      assert.equal(r.ip, LAB_VIP);
    }

    // An IP nobody announced is not answered: neither by us nor by the node's kernel.
    const other = await arping(lab.peer, lab.peerDev, '10.0.10.7', { count: 1, deadlineS: 1 });
    assert.equal(other.replies.length, 0, other.output);

    // The agent stops: liveness ages past the 1 s max, and the same request goes unanswered.
    clearInterval(ticker);
    ticker = undefined;
    await sleep(1500);
    const stale = await arping(lab.peer, lab.peerDev, LAB_VIP, { count: 2, intervalS: 0.2, deadlineS: 2 });
    assert.equal(stale.replies.length, 0, stale.output);
    assert.notEqual(stale.code, 0);

    // bpftool sees the same count as arping did (the seed's view of the map).
    const dump = sh('bpftool', ['map', 'dump', 'pinned', `${lab.dp.pinDir}/waggle_l2_responder_v4`]).stdout;
    assert.deepEqual(JSON.parse(dump), [
      { key: { ip4: 655370, ifindex: lab.nodeIfindex }, value: { responses_sent: alive.replies.length } },
    ]);
  } finally {
    if (ticker) clearInterval(ticker);
    lab.destroy();
  }
});

test('the lab leaves nothing behind', () => {
  const lab = createResponderLab({ maxLivenessNs: MAX_LIVENESS_NS });
  const names = [lab.node.name, lab.peer.name];
  const bpffs = lab.fs.dir;
  lab.destroy();
  const netns = sh('ip', ['netns', 'list']).stdout;
  for (const n of names) assert.doesNotMatch(netns, new RegExp(`^${n}\\b`, 'm'));
  assert.doesNotMatch(sh('mount', []).stdout, new RegExp(bpffs));
});

test('`waggle datapath demo` passes every step, shows the seed’s map dump and leaves no namespace', () => {
  const res = sh(process.execPath, ['bin/waggle.js', 'datapath', 'demo'], {
    allowFail: true,
    timeoutMs: 60_000,
  });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const steps = [...res.stdout.matchAll(/^ok {3}(\w+)/gm)].map((m) => m[1]);
  assert.deepEqual(steps, [
    'verify',
    'lab',
    'pin',
    'attach',
    'liveness',
    'announce',
    'arping',
    'map',
    'teardown',
  ]);
  assert.match(res.stdout, /"ip4": 655370,/);
  assert.match(res.stdout, /"responses_sent": 3/);
  const netns = res.stdout.match(/netns (\S+) .* ↔ (\S+) /);
  assert.ok(netns, res.stdout);
  const list = sh('ip', ['netns', 'list']).stdout;
  for (const n of [netns[1], netns[2]]) assert.doesNotMatch(list, new RegExp(`^${n}\\b`, 'm'));
});

test('`waggle datapath demo` without privileges fails with one line carrying the hint', () => {
  // From a copy nobody can reach, wherever this checkout lives (src/testing/unprivileged.ts).
  const cli = cliCopyForNobody();
  let res: ReturnType<typeof cli.run>;
  try {
    res = cli.run(['datapath', 'demo']);
  } finally {
    cli.remove();
  }
  assert.equal(res.code, 1);
  assert.equal(res.stdout, '');
  const lines = res.stderr.trim().split('\n');
  assert.equal(lines.length, 1, res.stderr);
  assert.match(lines[0] ?? '', /^waggle: load object build\/bpf\/bpf_host\.o: .*\[EPERM\] \(are you root/);
});

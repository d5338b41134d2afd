// Endpoints across agent crashes (issue: endpoints): a SIGKILLed agent with 20 endpoints
// exchanging pings loses none of them and comes back with the same IDs and addresses; and 500
// ADD/DEL cycles with the agent killed at random moments end with nothing left over —
// allocated addresses equal existing endpoints, no lxc, route, map entry, pin or object.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sh } from '../../src/testing/exec.js';
import { sleep } from './agent-lab.js';
import { type Pod, PodLab } from './pod-lab.js';

const NODE = 'rs-node';
const CIDR = '10.200.2.0/24';

describe('endpoints survive agent crashes', { timeout: 400_000 }, () => {
  const L = new PodLab();
  let sock = '';
  const wb = (...args: string[]) => sh('node', ['bin/waggle.js', ...args], { timeoutMs: 20_000 }).stdout;
  const kubectl = (...args: string[]) =>
    L.lab.sw.exec('node', ['bin/waggle.js', '--store', L.lab.etcdUrl, ...args], { timeoutMs: 20_000 }).stdout;

  before(async () => {
    await L.start(24790 + (process.pid % 100));
    L.addNode(NODE, 12, CIDR, ['--enable-endpoint-routes']);
    await L.startAgent(NODE);
    sock = L.socket(NODE);
  });
  after(async () => {
    await L.destroy();
  });

  const pods: Pod[] = [];
  test('SIGKILL and restart with 20 endpoints pinging each other at 20 ms: 0 lost, same IDs and IPs', async () => {
    for (let i = 0; i < 20; i++) pods.push(L.newPod(`ping-${i}`));
    for (const p of pods) await L.add(NODE, p);
    const before = new Map(
      (await L.endpoints(NODE)).endpoints.map((e) => [e.attachment, `${e.id} ${e.ipv4}`]),
    );
    const pings: Array<{ p: ChildProcess; out: string; closed: Promise<unknown> }> = [];
    for (let i = 0; i < 20; i++) {
      const peer = pods[i % 2 === 0 ? i + 1 : i - 1] as Pod;
      const p = spawn(
        'ip',
        [
          'netns',
          'exec',
          (pods[i] as Pod).ns.name,
          'ping',
          '-i',
          '0.02',
          '-w',
          '12',
          '-W',
          '1',
          L.podIp(peer),
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      // 'close', not 'exit': the summary lines may still be in the pipe when ping exits.
      const rec = { p, out: '', closed: new Promise((res) => p.once('close', res)) };
      p.stdout.on('data', (d) => {
        rec.out += d;
      });
      p.stderr.on('data', (d) => {
        rec.out += d;
      });
      pings.push(rec);
    }
    await sleep(1500);
    await L.killAgent(NODE, 'SIGKILL');
    await sleep(1000); // pods keep talking with no agent at all
    await L.startAgent(NODE);
    await Promise.all(pings.map((r) => r.closed));
    pings.forEach((r, i) => {
      const m = /(\d+) packets transmitted, (\d+) received/.exec(r.out);
      const pod = pods[i] as Pod;
      assert.ok(
        m,
        `pod ${i} (${L.podIp(pod)}): ${r.out.slice(-300)}\n${pod.ns.exec('ip', ['addr']).stdout}${pod.ns.exec('ip', ['route']).stdout}`,
      );
      assert.ok(Number(m[1]) >= 300, `only ${m[1]} pings sent`);
      assert.equal(m[1], m[2], `lost pings: ${m[0]}`);
    });
    const afterEps = (await L.endpoints(NODE)).endpoints.filter((e) => e.kind === 'pod');
    assert.equal(afterEps.length, 20);
    for (const e of afterEps) {
      assert.equal(`${e.id} ${e.ipv4}`, before.get(e.attachment), `endpoint ${e.attachment} changed`);
      assert.ok(e.restored, `endpoint ${e.id} restored`);
    }
    assert.match(wb('status', '--verbose', '--api-socket', sock), /\(default\/ping-0 \[restored\]\)/);
  });

  test('the 20 endpoints are deleted', async () => {
    for (const p of pods) assert.equal((await L.del(NODE, p)).code, 0);
    assert.deepEqual(
      (await L.endpoints(NODE)).endpoints.filter((e) => e.kind === 'pod'),
      [],
    );
  });

  test('500 ADD/DEL cycles with the agent killed at random points leave nothing behind', async () => {
    const node = L.nodes.get(NODE)?.node.ns;
    assert.ok(node);
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const slots: Pod[] = Array.from({ length: 4 }, (_, i) => L.newPod(`cyc-${i}`));
    let done = 0;
    let kills = 0;
    let stop = false;
    // The runtime's contract: a failed ADD is followed by DEL; a DEL is retried until it succeeds.
    const delUntilOk = async (p: Pod) => {
      for (let i = 0; i < 200; i++) {
        if ((await L.del(NODE, p)).code === 0) return;
        await sleep(100);
      }
      throw new Error(`DEL of ${p.att.containerId} never succeeded`);
    };
    const worker = async (slot: Pod, w: number) => {
      for (let i = 0; done < 500 && i < 1000; i++) {
        const p: Pod = { ns: slot.ns, att: { ...slot.att, containerId: `w${w}c${i}x${process.pid}` } };
        await L.cni(NODE, 'ADD', p.att, L.netconf(NODE));
        await delUntilOk(p);
        done += 1;
      }
    };
    const killer = async () => {
      while (!stop) {
        await sleep(1500 + rand() * 3000);
        if (stop) return;
        await L.killAgent(NODE, 'SIGKILL');
        kills += 1;
        await L.startAgent(NODE);
      }
    };
    const k = killer();
    await Promise.all(slots.map((s, i) => worker(s, i)));
    stop = true;
    await k;
    assert.ok(kills >= 3, `the agent was killed only ${kills} times`);
    assert.ok(done >= 500);
    const eps = await L.endpoints(NODE);
    assert.deepEqual(
      eps.endpoints.filter((e) => e.kind === 'pod').map((e) => e.attachment),
      [],
    );
    const st = JSON.parse(wb('status', '-o', 'json', '--api-socket', sock)) as {
      endpoints: { allocated: Array<{ ip: string; owner: string }> };
    };
    const owners = st.endpoints.allocated.map((a) => a.owner).sort();
    assert.deepEqual(owners, ['health', 'router'], JSON.stringify(st.endpoints.allocated));
    const links = node.exec('ip', ['-o', 'link', 'show']).stdout;
    assert.doesNotMatch(links, /lxc[0-9a-f]{12}/);
    assert.doesNotMatch(
      node.exec('ip', ['route', 'show', 'proto', '194']).stdout,
      /10\.200\.2\.\d+ dev lxc[0-9a-f]/,
    );
    const lxc = wb('map', 'get', 'waggle_lxc', '--api-socket', sock);
    assert.equal((lxc.match(/ id=/g) ?? []).length, 1, `only the health endpoint in waggle_lxc:\n${lxc}`);
    const pins = readdirSync(`${L.lab.runDir}/bpffs/${NODE}/links`).filter(
      (n) => n.startsWith('lxc') && !n.startsWith('lxc_health'),
    );
    assert.deepEqual(pins, []);
    const state = readdirSync(`${L.stateDir(NODE)}/endpoints`);
    assert.equal(state.length, 1, `only the health record: ${state.join(', ')}`);
    let ceps = kubectl('get', 'ciliumendpoints', '-A');
    for (let i = 0; i < 50 && /cyc-/.test(ceps); i++) {
      await sleep(200);
      ceps = kubectl('get', 'ciliumendpoints', '-A');
    }
    assert.doesNotMatch(ceps, /cyc-/);
  });
});

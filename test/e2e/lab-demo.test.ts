// The whole demo, non-interactively, twice in a row: `waggle lab demo` must pass every step (it
// exits non-zero naming the first failed step), each step's section must show the real output
// the story is about, and `lab down` after each run must leave nothing behind — the second run
// proves the teardown is clean enough to start over.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { demoSteps } from '../../src/lab/demo/run.js';
import { leftovers, waggle } from './lab-helpers.js';

const MAC = { 'node-0': '00:0c:29:e3:b1:b2', 'node-1': '00:0c:29:0d:b7:76' } as const;
const STEPS = demoSteps(true);
// The demo under test runs with the lab's own timings, whatever the caller's shell exports.
delete process.env.WAGGLE_LAB_AGENT_FLAGS;

/** The demo's stdout cut into one section per step, by its `== [i/n] name` headers. */
function sections(stdout: string): string[] {
  return STEPS.map((step, i) => {
    const start = stdout.indexOf(`== [${i + 1}/${STEPS.length}] ${step.name}`);
    assert.ok(start >= 0, `step ran: ${step.name}`);
    const end = stdout.indexOf(`== [${i + 2}/${STEPS.length}]`, start);
    return stdout.slice(start, end < 0 ? undefined : end);
  });
}

/** What each step must have printed: the seed's outputs, produced by the real tools. */
function assertStory(stdout: string): void {
  const s = sections(stdout);
  const at = (i: number) => s[i] as string;
  assert.match(
    at(0),
    /components: etcd-server, operator-server, controller-manager-server, agent-server, agent-node-0, agent-node-1, kubelet-server, kubelet-node-0, kubelet-node-1/,
  );
  // Cilium's defaults, as the lab passes them (agent-timings.ts), reported by the agents.
  assert.match(at(0), /node-1: liveness written every 1000 ms, datapath max liveness 15000 ms/);
  assert.match(at(1), /cilium-ingress-basic-ingress +LoadBalancer +[\d.]+ +<pending> /);
  assert.match(at(1), /cilium-ingress +LoadBalancer +[\d.]+ +<pending> /);
  assert.match(at(2), /cilium-ingress-basic-ingress +LoadBalancer +[\d.]+ +10\.0\.10\.0 /);
  assert.match(at(3), /3 packets transmitted, 0 packets received, +100% unanswered/);
  assert.match(at(3), /^ +10\.0\.10\.0 (INCOMPLETE|FAILED)/m);
  const holder = /holder: (node-[01])\)/.exec(at(4))?.[1] as 'node-0' | 'node-1' | undefined;
  assert.ok(holder, 'the policy step names the lease holder');
  for (const dev of ['eth0', 'eth1']) {
    assert.match(at(4), new RegExp(`${dev} +B +ifindex \\d+ .*Reply 10\\.0\\.10\\.0 is-at 00:0c:29`));
  }
  assert.match(at(5), new RegExp(`bytes from ${MAC[holder]} \\(10\\.0\\.10\\.0\\)`));
  assert.match(at(5), new RegExp(`10\\.0\\.10\\.0 lladdr ${MAC[holder]} `));
  assert.match(at(6), new RegExp(`waggle-l2announce-default-cilium-ingress-basic-ingress +${holder} `));
  assert.match(at(7), new RegExp(`bpftool map dump pinned /run/waggle/lab/bpffs/${holder}/`));
  assert.match(at(7), /"ip4": 655370,/);
  assert.match(at(7), /"responses_sent": [1-9]/);
  assert.equal(at(8).match(/AgentLiveness +\d+/g)?.length, 2);
  const next = holder === 'node-0' ? 'node-1' : 'node-0';
  assert.match(at(9), new RegExp(`agent-${holder} pid \\d+ killed \\(SIGKILL\\)`));
  assert.match(at(9), new RegExp(`\\+\\d+ ms  ${MAC[next]}`));
  assert.match(at(9), new RegExp(`waggle-l2announce-default-cilium-ingress-basic-ingress +${next} `));
  assert.match(at(9), new RegExp(`agent-${holder} restarted: pid \\d+`));
  assert.match(at(10), /policy1" deleted/);
  assert.match(at(10), /node-1's responder map has no 10\.0\.10\.0/);
  assert.match(at(10), new RegExp(`bytes from ${MAC['node-1']} \\(10\\.0\\.10\\.0\\)`));
  assert.match(at(10), /net\.ipv4\.conf\.eth1\.proxy_arp = 0/, 'proxy_arp switched back off');
  assert.equal(stdout.match(/step done in/g)?.length, STEPS.length);
  assert.match(stdout, new RegExp(`failover \\(kill → first reply from ${next}\\) +\\d+ ms`));
  assert.match(stdout, new RegExp(`${holder} answered after its agent died for +\\d+ ms`));
  assert.match(stdout, /The lab is still up/);
}

describe('lab demo, twice', { concurrency: false }, () => {
  after(() => {
    waggle(['lab', 'down']);
  });

  for (const run of ['first', 'second']) {
    test(`${run} demo: every step of the seed story passes`, () => {
      const res = waggle(['lab', 'demo'], 300_000);
      const failed = /demo step "([^"]+)" failed: (.*)/.exec(res.stderr);
      assert.equal(res.code, 0, failed ? `step "${failed[1]}": ${failed[2]}` : res.stderr + res.stdout);
      assertStory(res.stdout);
    });

    test(`after the ${run} demo, lab down leaves nothing`, () => {
      const down = waggle(['lab', 'down']);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(leftovers(), []);
    });
  }
});

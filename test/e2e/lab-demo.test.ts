// The whole demo, non-interactively, twice in a row: `waggle lab demo` must pass every step (it
// exits non-zero naming the first failed step), each step's section must show the real output
// the story is about, and `lab down` after each run must leave nothing behind — the second run
// proves the teardown is clean enough to start over. Before them, `--only seed-003` alone on a
// fresh lab: a section must not depend on the ones before it.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { demoSteps } from '../../src/lab/demo/run.js';
import { leftovers, waggle } from './lab-helpers.js';

const MAC = { 'node-0': '00:0c:29:e3:b1:b2', 'node-1': '00:0c:29:0d:b7:76' } as const;
const STEPS = demoSteps(true);
const ONLY_003 = demoSteps(true, 'seed-003');
// The demo under test runs with the lab's own timings, whatever the caller's shell exports.
delete process.env.WAGGLE_LAB_AGENT_FLAGS;

/** The demo's stdout cut into one section per step, by its `== [i/n] name` headers. */
function sections(stdout: string, steps = STEPS): string[] {
  return steps.map((step, i) => {
    const start = stdout.indexOf(`== [${i + 1}/${steps.length}] ${step.name}`);
    assert.ok(start >= 0, `step ran: ${step.name}`);
    const end = stdout.indexOf(`== [${i + 2}/${steps.length}]`, start);
    return stdout.slice(start, end < 0 ? undefined : end);
  });
}

const IP = String.raw`10\.200\.\d+\.\d+`;

/** Seed 001's beginning: nginx on a worker, reached by ClusterIP and by pod IP from server. */
function assertNginx(deploy: string, curl: string): void {
  assert.match(deploy, /deployment\.apps\/nginx created/);
  assert.match(deploy, /service\/nginx created/);
  assert.match(
    deploy,
    new RegExp(`^ +nginx-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +\\d+ +\\S+ +${IP} +node-[01] `, 'm'),
  );
  assert.match(deploy, /from node-[01]'s PodCIDR 10\.200\.[12]\.0\/24/);
  assert.match(deploy, /^ +nginx +ClusterIP +10\.96\.\d+\.\d+ +<none> +80\/TCP/m);
  assert.equal(curl.match(/<title>Welcome to nginx!<\/title>/g)?.length, 2);
}

/** Seed 004: the pods, the store's and agent's endpoint views, bpf_lxc's links, svc. */
function assertSeed004(at: (i: number) => string): void {
  assert.match(at(0), /^ +netpod +1\/1 +Running +\d+ +\S+ +10\.200\.0\.\d+ +server /m);
  assert.match(at(0), /^ +webpod2 +1\/1 +Running +\d+ +\S+ +10\.200\.2\.\d+ +node-1 /m);
  assert.match(at(1), /^ +node-0 +10\.200\.1\.\d+ +[\d.]+ /m);
  assert.match(at(1), new RegExp(`^ +default +webpod1 +\\d+ +ready +${IP}`, 'm'));
  assert.match(at(1), /^ +\d+ +Disabled +Disabled +4 +reserved:health/m);
  assert.match(at(1), /id=\d+ +sec_id=\d+ +flags=0x0000 ifindex=\d+ +mac=[0-9A-F:]{17} nodemac=/);
  assert.match(at(2), /^ +\d+: type 11 +prog \d+/m);
  assert.match(at(2), /sched_cls +name from_container +tag [0-9a-f]+ +gpl/);
  assert.match(at(2), /sched_cls +name to_container +tag [0-9a-f]+ +gpl/);
  assert.match(at(3), /service\/svc created/);
  assert.match(at(3), /^ +Hostname: webpod1$/m);
  assert.match(at(3), /^ +Hostname: webpod2$/m);
  assert.match(at(4), /listening on any/);
  assert.match(at(4), new RegExp(`${IP}\\.\\d+ > ${IP}\\.80: tcp`));
  assert.doesNotMatch(at(4), /> 10\.96\.\d+\.\d+\.80:/);
  assert.match(
    at(5),
    /^ +\d+ +10\.96\.\d+\.\d+:80\/TCP +ClusterIP +1 => 10\.200\.\d+\.\d+:80\/TCP \(active\)/m,
  );
  assert.match(
    at(5),
    /10\.96\.\d+\.\d+:80\/TCP \(0\) +0\.0\.0\.0:0 \(\d+\) \(0\) \[ClusterIP, non-routable\]/,
  );
}

/** Seed 003 on server: allocated addresses, networking blocks, routes, a to-endpoint trace. */
function assertSeed003(at: (i: number) => string): void {
  assert.match(at(1), /^ +10\.200\.0\.\d+ \(router\)$/m);
  assert.match(at(1), /^ +10\.200\.0\.\d+ \(health\)$/m);
  assert.match(at(1), /^ +10\.200\.0\.\d+ \(default\/netpod\)$/m);
  assert.match(at(2), /"interface-name": "lxc_health"/);
  assert.match(at(2), /"container-interface-name": "eth0"/);
  assert.match(at(2), /"interface-name": "lxc[0-9a-f]+"/);
  assert.match(at(3), /^ +default via 10\.200\.0\.\d+ dev eth0/m);
  assert.match(at(4), /to-endpoint/);
  assert.match(at(4), /2 packets transmitted, 2 received/);
}

/** What each step must have printed: the seed's outputs, produced by the real tools. */
function assertStory(stdout: string): void {
  const s = sections(stdout);
  const at = (i: number) => s[i] as string;
  assertNginx(at(1), at(2));
  const first = (prefix: string) => STEPS.findIndex((step) => step.name.startsWith(prefix));
  assertSeed004((i) => at(first('seed 004') + i));
  assertSeed003((i) => at(first('seed 003') + i));
  assert.match(
    at(0),
    /components: etcd-server, operator-server, controller-manager-server, agent-server, agent-node-0, agent-node-1, kubelet-server, kubelet-node-0, kubelet-node-1/,
  );
  // Cilium's defaults, as the lab passes them (agent-timings.ts), reported by the agents.
  assert.match(at(0), /node-1: liveness written every 1000 ms, datapath max liveness 15000 ms/);
  assert.match(
    at(3),
    /cilium-ingress-basic-ingress +LoadBalancer +[\d.]+ +<pending> +80:\d+\/TCP,443:\d+\/TCP /,
  );
  assert.match(at(3), /^ +basic-ingress +cilium +\* +80 /m);
  assert.match(at(4), /cilium-ingress-basic-ingress +LoadBalancer +[\d.]+ +10\.0\.10\.0 /);
  assert.match(at(4), /^ +basic-ingress +cilium +\* +10\.0\.10\.0 +80 /m);
  assert.match(at(5), /3 packets transmitted, 0 packets received, +100% unanswered/);
  assert.match(at(5), /^ +10\.0\.10\.0 (INCOMPLETE|FAILED)/m);
  assert.match(at(5), /curl 10\.0\.10\.0 from the jumpbox fails \(curl exit \d+\)/);
  const holder = /holder: (node-[01])\)/.exec(at(6))?.[1] as 'node-0' | 'node-1' | undefined;
  assert.ok(holder, 'the policy step names the lease holder');
  for (const dev of ['eth0', 'eth1']) {
    assert.match(at(6), new RegExp(`${dev} +B +ifindex \\d+ .*Reply 10\\.0\\.10\\.0 is-at 00:0c:29`));
  }
  assert.match(at(7), new RegExp(`bytes from ${MAC[holder]} \\(10\\.0\\.10\\.0\\)`));
  assert.match(at(7), new RegExp(`10\\.0\\.10\\.0 lladdr ${MAC[holder]} `));
  // The seed's last step: nginx's page from the jumpbox, through the holder's eBPF service LB.
  assert.match(at(7), /<title>Welcome to nginx!<\/title>/);
  assert.match(at(8), new RegExp(`waggle-l2announce-default-cilium-ingress-basic-ingress +${holder} `));
  assert.match(at(9), new RegExp(`bpftool map dump pinned /run/waggle/lab/bpffs/${holder}/`));
  assert.match(at(9), /"ip4": 655370,/);
  assert.match(at(9), /"responses_sent": [1-9]/);
  assert.equal(at(10).match(/AgentLiveness +\d+/g)?.length, 2);
  const next = holder === 'node-0' ? 'node-1' : 'node-0';
  assert.match(at(11), new RegExp(`agent-${holder} pid \\d+ killed \\(SIGKILL\\)`));
  assert.match(at(11), new RegExp(`\\+\\d+ ms  ${MAC[next]}`));
  assert.match(at(11), new RegExp(`waggle-l2announce-default-cilium-ingress-basic-ingress +${next} `));
  assert.match(at(11), new RegExp(`agent-${holder} restarted: pid \\d+`));
  assert.match(at(11), /curl loop: \d+ requests, \d+ failed/);
  assert.match(at(12), /policy1" deleted/);
  assert.match(at(12), /node-1's responder map has no 10\.0\.10\.0/);
  assert.match(at(12), new RegExp(`bytes from ${MAC['node-1']} \\(10\\.0\\.10\\.0\\)`));
  assert.match(at(12), /net\.ipv4\.conf\.eth1\.proxy_arp = 0/, 'proxy_arp switched back off');
  assert.equal(stdout.match(/step done in/g)?.length, STEPS.length);
  assert.match(stdout, new RegExp(`failover \\(kill → first reply from ${next}\\) +\\d+ ms`));
  assert.match(stdout, new RegExp(`${holder} answered after its agent died for +\\d+ ms`));
  assert.match(stdout, /curl 10\.0\.10\.0 from the jumpbox during the failover +\d+ of \d+ requests failed/);
  assert.match(stdout, /The lab is still up/);
}

describe('lab demo, twice', { concurrency: false }, () => {
  after(() => {
    waggle(['lab', 'down']);
  });

  test('--only seed-003: a fresh lab and seed 003 alone', () => {
    const res = waggle(['lab', 'demo', '--only', 'seed-003'], 120_000);
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const s = sections(res.stdout, ONLY_003);
    assertSeed003((i) => s[i + 1] as string);
    assert.doesNotMatch(res.stdout, /cilium-ingress|Welcome to nginx/);
  });

  for (const run of ['first', 'second']) {
    test(`${run} demo: every step of the seed story passes`, () => {
      const res = waggle(['lab', 'demo'], 300_000);
      const failed = /demo step "([^"]+)" failed: (.*)/.exec(res.stderr);
      assert.equal(res.code, 0, failed ? `step "${failed[1]}": ${failed[2]}` : res.stderr + res.stdout);
      assertStory(res.stdout);
      // The run's own figures, for the test log (the demo prints them last).
      const measured = res.stdout.slice(res.stdout.indexOf('== measured in this run'));
      process.stdout.write(`${measured.slice(0, measured.indexOf('\nThe lab is still up'))}\n`);
    });

    test(`after the ${run} demo, lab down leaves nothing`, () => {
      const down = waggle(['lab', 'down']);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(leftovers(), []);
    });
  }
});

// `waggle connectivity test` on the lab (issue #17): it passes on a healthy lab; with node-1's
// agent killed it fails exactly the scenarios that list node-1 among their nodes (and the drop
// check, which cannot read node-1's metrics); with the echo Deployments scaled to 0 the service
// scenarios fail with the refusal socket LB gives a service without backends, and the jumpbox's
// requests to a NodePort and a LoadBalancer address without backends fail too. Each run leaves
// nothing of its own behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SCENARIOS } from '../../src/lab/connectivity/scenarios.js';
import { sh } from '../../src/testing/exec.js';
import { leftovers, waggle } from './lab-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RAN = SCENARIOS.filter((s) => !s.skip).map((s) => s.name);
const SKIPPED = SCENARIOS.filter((s) => s.skip).map((s) => s.name);
const DROPS = 'no-unexpected-packet-drops';

interface Run {
  code: number;
  out: string;
  passed: string[];
  failed: string[];
  skipped: string[];
  ms: number;
}

function connectivity(args: string[]): Run {
  const t0 = Date.now();
  const r = waggle(['connectivity', 'test', ...args], 200_000);
  const out = r.stdout + r.stderr;
  const names = (icon: string) =>
    [...out.matchAll(new RegExp(`^${icon} +\\[([^\\]]+)\\]`, 'gmu'))].map((m) => m[1] as string).sort();
  return {
    code: r.code,
    out,
    passed: names('✅'),
    failed: names('❌'),
    skipped: names('⏭️'),
    ms: Date.now() - t0,
  };
}

function testPods(): string[] {
  const r = waggle(['get', 'pods', '-n', 'waggle-test', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

/** whoami processes in the jumpbox's network namespace (the test's responder). */
function jumpboxResponders(): number {
  const r = sh('ip', ['netns', 'pids', 'waggle-jumpbox'], { allowFail: true });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('whoami.js');
      } catch {
        return false;
      }
    }).length;
}

/** The lines a failed scenario printed, up to the next scenario. */
function block(out: string, name: string): string {
  const start = out.indexOf(`❌ [${name}]`);
  assert.ok(start >= 0, `no failure block for ${name}`);
  const rest = out.slice(start + 1);
  const end = rest.search(/^(✅|❌|⏭️) +\[|^📋/mu);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('waggle connectivity test', { concurrency: false }, () => {
  before(() => {
    delete process.env.WAGGLE_LAB_AGENT_FLAGS;
    waggle(['lab', 'down']);
    const up = waggle(['lab', 'up'], 240_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
  });
  after(() => {
    waggle(['lab', 'restart', 'agent', 'node-1']);
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
  });

  test('passes on the lab: every scenario, north-south ones included', () => {
    const r = connectivity([]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.passed, [...RAN, DROPS].sort(), r.out);
    assert.deepEqual(r.failed, [], r.out);
    assert.deepEqual(r.skipped, [...SKIPPED].sort());
    assert.ok(RAN.includes('outside-to-loadbalancer') && RAN.includes('pod-to-remote-nodeport'));
    // The jumpbox's request crossed node-0 to the backend on node-1 and came back translated.
    assert.match(r.out, /✅ \[outside-to-loadbalancer\]/u);
    assert.match(
      r.out,
      new RegExp(
        `^📋 Test Report$\\n^✅ ${RAN.length + 1}/${RAN.length + 1} tests successful \\(${SKIPPED.length} skipped\\)`,
        'mu',
      ),
    );
    assert.deepEqual(testPods(), [], 'the test removed its pods');
    console.log(`healthy run: ${r.ms} ms`);
  });

  test('--test selects scenarios by regex', () => {
    const r = connectivity(['--test', '^pod-to-pod/']);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.passed, [DROPS, 'pod-to-pod/other-node', 'pod-to-pod/same-node'].sort());
    console.log(`--test run: ${r.ms} ms`);
  });

  test('Ctrl-C during the run: what it deployed is removed, exit code 130', async () => {
    const child = spawn(process.execPath, ['bin/waggle.js', 'connectivity', 'test'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    for (let i = 0; i < 240 && !out.includes('✅ [pod-to-pod/same-node]'); i++) await sleep(250);
    assert.match(out, /✅ \[pod-to-pod\/same-node\]/, out);
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 130, out);
    assert.match(out, /🛑 SIGINT: removing what the test deployed/);
    assert.match(out, /🧹 Removed the test's Deployments, Services and pods from namespace waggle-test/);
    assert.deepEqual(testPods(), []);
    for (let i = 0; i < 20 && jumpboxResponders() > 0; i++) await sleep(250);
    assert.equal(jumpboxResponders(), 0, 'the jumpbox responder is stopped');
  });

  test('echo backends scaled to 0: the service scenarios fail with connection refused', () => {
    const r = connectivity(['--echo-replicas', '0', '--wait-timeout', '20s']);
    assert.notEqual(r.code, 0, r.out);
    for (const name of ['outside-to-nodeport', 'outside-to-loadbalancer', 'pod-to-local-nodeport'])
      assert.ok(r.failed.includes(name), `${name} failed:\n${r.out}`);
    for (const svc of ['pod-to-service/same-node', 'pod-to-service/other-node']) {
      assert.ok(r.failed.includes(svc), `${svc} failed:\n${r.out}`);
      assert.match(
        block(r.out, svc),
        /curl: \(7\) Failed to connect to 10\.9[6-9]\.\d+\.\d+ port 80 .*: Connection refused\)$/m,
      );
    }
    // Without echo pods there is nothing to reach by pod IP either; everything else still passes.
    for (const name of [
      'client-to-client',
      'pod-to-host/same-node',
      'pod-to-host/other-node',
      'pod-to-external',
      DROPS,
    ])
      assert.ok(r.passed.includes(name), `${name} passed:\n${r.out}`);
    assert.deepEqual(testPods(), []);
    console.log(`scaled-to-0 run: ${r.ms} ms`);
  });

  test("node-1's agent killed: exactly the scenarios that involve node-1 fail", async () => {
    const kill = waggle(['lab', 'kill', 'agent', 'node-1']);
    assert.equal(kill.code, 0, kill.stderr);
    const r = connectivity(['--wait-timeout', '20s']);
    const restart = waggle(['lab', 'restart', 'agent', 'node-1']);
    assert.equal(restart.code, 0, restart.stderr);
    assert.notEqual(r.code, 0, r.out);
    const involved = SCENARIOS.filter((s) => !s.skip && s.nodes.includes('node-1')).map((s) => s.name);
    assert.deepEqual(r.failed, [...involved, DROPS].sort(), r.out);
    assert.deepEqual(r.passed, RAN.filter((n) => !involved.includes(n)).sort(), r.out);
    assert.match(block(r.out, 'pod-to-host/other-node'), /192\.168\.56\.60:4240\/hello/);
    assert.match(block(r.out, DROPS), /node-1: metrics not readable/);
    console.log(`agent-killed run: ${r.ms} ms`);
    // Pods stuck on node-1 while its agent was down go once it is back.
    for (let i = 0; i < 120 && testPods().length > 0; i++) await sleep(500);
    assert.deepEqual(testPods(), []);
  });
});

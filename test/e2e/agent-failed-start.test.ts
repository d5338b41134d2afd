// A module that fails to start stops everything that already started: the agent, run in-process
// inside a namespace of this test with every standard module and a failing one appended, leaves
// no child process (ip monitor), no timer, no tc filter, no API socket and no listening metrics
// port behind. The same agent without the failing module is the control: it does attach, listen
// and spawn, so the checks below can see what they look for.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentFlags } from '../../src/agent/flags.js';
import { ModuleStartError } from '../../src/agent/module.js';
import { enterNetns } from '../../src/bpf/index.js';
import { type TempBpffs, tempBpffs } from '../../src/testing/bpffs.js';
import { sh } from '../../src/testing/exec.js';
import { vethPair } from '../../src/testing/netns.js';

const METRICS_PORT = 19964;

/** What this process holds that a leaked module would add to. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

const children = () =>
  sh('pgrep', ['-P', String(process.pid)], { allowFail: true })
    .stdout.split('\n')
    .filter(Boolean)
    .map((pid) => sh('ps', ['-o', 'args=', '-p', pid], { allowFail: true }).stdout.trim())
    .filter((args) => args !== '' && !args.startsWith('ps ') && !args.startsWith('pgrep'));

const tcIngress = (dev: string) => sh('tc', ['filter', 'show', 'dev', dev, 'ingress']).stdout.trim();

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('agent: a failed module start leaves nothing behind', { timeout: 60_000 }, () => {
  let pair: ReturnType<typeof vethPair>;
  let fs: TempBpffs;
  let dir: string;
  let leave: () => void = () => {};

  before(() => {
    pair = vethPair({ addrA: '192.168.77.1/24', addrB: '192.168.77.2/24' });
    fs = tempBpffs();
    dir = mkdtempSync(join(tmpdir(), 'waggle-failed-start-'));
    leave = enterNetns(pair.a.name);
  });
  after(() => {
    leave();
    pair?.destroy();
    fs?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (name: string) =>
    parseAgentFlags(
      {
        node: name,
        store: 'memory://',
        devices: pair.devA,
        agentLivenessUpdateInterval: '200ms',
        l2AnnouncementsLeaseDuration: '3s',
        l2AnnouncementsRenewDeadline: '1s',
        l2AnnouncementsRetryPeriod: '200ms',
        gratuitousArpCount: '1',
        gratuitousArpInterval: '1s',
        pinDir: `${fs.dir}/${name}`,
        apiSocket: join(dir, `${name}.sock`),
        metricsAddr: `127.0.0.1:${METRICS_PORT}`,
        mapSampleInterval: '1s',
      },
      () => {},
    );

  test('control: a started agent attaches from_netdev, listens, and runs ip monitor', async () => {
    const baseline = resources();
    const agent = new Agent(config('ok-node'));
    await agent.start();
    try {
      assert.match(tcIngress(pair.devA), /from_netdev/);
      assert.ok(existsSync(join(dir, 'ok-node.sock')), 'API socket exists');
      assert.equal(await portOpen(METRICS_PORT), true, 'metrics port listening');
      assert.ok(
        children().some((c) => c.startsWith('ip monitor')),
        `children: ${children().join('; ')}`,
      );
      assert.ok((resources().Timeout ?? 0) > (baseline.Timeout ?? 0), 'the running agent holds timers');
    } finally {
      await agent.stop();
    }
    // A normal shutdown leaves the attachment for a restarted agent; remove it for the next test.
    sh('tc', ['filter', 'del', 'dev', pair.devA, 'ingress'], { allowFail: true });
  });

  test('a module failing at the end of the list: the error names it, and everything is undone', async () => {
    await new Promise((r) => setTimeout(r, 300)); // let the control's ip monitor exit
    const baseline = resources();
    const agent = new Agent(config('bad-node'), [
      {
        name: 'fail-on-purpose',
        start: () => {
          throw new Error('injected failure');
        },
        stop: () => {},
      },
    ]);
    await assert.rejects(
      agent.start(),
      (err: unknown) =>
        err instanceof ModuleStartError &&
        err.module === 'fail-on-purpose' &&
        /^module fail-on-purpose: start: injected failure$/.test(err.message),
    );
    assert.deepEqual(
      agent.modules.states().filter((m) => m.state !== 'stopped' && m.name !== 'fail-on-purpose'),
      [],
      'every module is stopped',
    );
    assert.equal(agent.modules.state('fail-on-purpose'), 'failed');
    assert.equal(tcIngress(pair.devA), '', 'no tc filter left on the device');
    assert.equal(existsSync(join(dir, 'bad-node.sock')), false, 'no API socket left');
    assert.equal(await portOpen(METRICS_PORT), false, 'no metrics port left');
    await new Promise((r) => setTimeout(r, 300)); // ip monitor needs a moment to exit on SIGTERM
    assert.deepEqual(children(), [], 'no child process left');
    const now = resources();
    for (const kind of ['Timeout', 'Immediate', 'ProcessWrap', 'PipeServerWrap', 'TCPServerWrap'])
      assert.ok(
        (now[kind] ?? 0) <= (baseline[kind] ?? 0),
        `${kind}: ${now[kind] ?? 0} now, ${baseline[kind] ?? 0} before`,
      );
  });
});

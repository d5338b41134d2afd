// The plugin binary as a runtime runs it: env + stdin in, JSON on stdout, an exit code, and how
// fast an absent or silent agent turns into "try again later". No agent is faked here: ADD that
// succeeds needs the real agent (its e2e tests); a silent listener only stands for a hung one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const BIN = fileURLToPath(new URL('../../../bin/waggle-cni', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'waggle-cni-bin-'));
const missingSocket = join(dir, 'absent', 'agent.sock');
const attach = { CNI_CONTAINERID: 'c0ffee', CNI_NETNS: '/run/netns/pod-a', CNI_IFNAME: 'eth0' };
const conf = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    cniVersion: '1.0.0',
    name: 'waggle',
    type: 'waggle-cni',
    'socket-path': missingSocket,
    ...extra,
  });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runBin(env: Record<string, string>, stdin: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(BIN, [], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000); // bound: a hung plugin fails the test
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
    child.stdin.end(stdin);
  });
}

const errorOf = (r: Run) => JSON.parse(r.stdout) as { cniVersion: string; code: number; msg: string };

describe('plugin binary', () => {
  // A listener that accepts and never answers: what a hung agent looks like from the plugin.
  const silentSocket = join(dir, 'silent.sock');
  const held: Socket[] = [];
  const silent = createServer((s) => {
    held.push(s);
  });
  before(() => new Promise<void>((resolve) => silent.listen(silentSocket, resolve)));
  after(() => {
    for (const s of held) s.destroy();
    silent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('VERSION: the requested version echoed and the supported list, exit 0, nothing on stderr', async () => {
    const r = await runBin({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}');
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [0, '{"cniVersion":"0.4.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n', ''],
    );
  });

  test('VERSION with nothing on stdin answers for the latest version', async () => {
    const r = await runBin({ CNI_COMMAND: 'VERSION' }, '');
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).cniVersion, '1.1.0');
  });

  test('a bad input is an error object on stdout and exit code 1', async () => {
    const r = await runBin({ ...attach, CNI_COMMAND: 'ADD' }, 'not json');
    assert.equal(r.code, 1);
    assert.equal(errorOf(r).code, 6);
  });

  test('ADD, agent socket absent: code 11 naming the socket, well within 1 s', async () => {
    const r = await runBin({ ...attach, CNI_COMMAND: 'ADD' }, conf());
    assert.equal(r.code, 1);
    assert.deepEqual(errorOf(r), {
      cniVersion: '1.0.0',
      code: 11,
      msg: `agent API ${missingSocket}: no agent listening (ENOENT)`,
      details: 'is `waggle agent` running on this node?',
    });
    assert.ok(r.ms < 1000, `took ${r.ms.toFixed(0)}ms`);
  });

  test('30 plugins started at once each read their whole config from stdin', async () => {
    // Regression: reading process.stdin.isTTY made fd 0 a non-blocking stream that raced the
    // synchronous read, and most of a burst of plugins saw an empty config (code 6).
    const runs = await Promise.all(
      Array.from({ length: 30 }, () => runBin({ ...attach, CNI_COMMAND: 'ADD' }, conf())),
    );
    assert.deepEqual(
      runs.map((r) => errorOf(r).code),
      runs.map(() => 11),
    );
  });

  test('ADD, socket path is not a listening socket: code 11 (refused)', async () => {
    const notSocket = join(dir, 'file.sock');
    writeFileSync(notSocket, '');
    const r = await runBin({ ...attach, CNI_COMMAND: 'ADD' }, conf({ 'socket-path': notSocket }));
    assert.equal(errorOf(r).code, 11);
    assert.equal(errorOf(r).msg, `agent API ${notSocket}: no agent listening (ECONNREFUSED)`);
  });

  test('ADD, agent accepts but never answers: code 11 after the 1 s deadline, naming the socket', async () => {
    const r = await runBin({ ...attach, CNI_COMMAND: 'ADD' }, conf({ 'socket-path': silentSocket }));
    assert.equal(r.code, 1);
    assert.deepEqual(
      [errorOf(r).code, errorOf(r).msg],
      [11, `agent API ${silentSocket}: GET /v1/healthz: no answer within 1000ms`],
    );
    // The deadline is 1 s; node's start (tens of ms, more on a busy machine) comes on top.
    assert.ok(r.ms >= 1000 && r.ms < 2500, `took ${r.ms.toFixed(0)}ms`);
  });

  test('DEL, agent socket absent: code 11 so the runtime retries it', async () => {
    const r = await runBin({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c0ffee', CNI_IFNAME: 'eth0' }, conf());
    assert.deepEqual([r.code, errorOf(r).code], [1, 11]);
    assert.match(errorOf(r).msg, new RegExp(`^agent API ${missingSocket}: `));
  });

  test('STATUS, agent absent or silent: code 50 (plugin not available)', async () => {
    const absent = await runBin({ CNI_COMMAND: 'STATUS' }, conf({ cniVersion: '1.1.0' }));
    assert.deepEqual([absent.code, errorOf(absent).code], [1, 50]);
    const hung = await runBin(
      { CNI_COMMAND: 'STATUS' },
      conf({ cniVersion: '1.1.0', 'socket-path': silentSocket }),
    );
    assert.deepEqual(
      [errorOf(hung).code, errorOf(hung).msg],
      [50, `agent API ${silentSocket}: GET /v1/healthz: no answer within 1000ms`],
    );
  });

  test('GC, agent absent: code 11', async () => {
    const stdin = conf({
      cniVersion: '1.1.0',
      'cni.dev/valid-attachments': [{ containerID: 'c1', ifname: 'eth0' }],
    });
    const r = await runBin({ CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin' }, stdin);
    assert.equal(errorOf(r).code, 11);
  });

  test('log-file: one line per call with the command, the attachment and the outcome', async () => {
    const log = join(dir, 'cni.log');
    await runBin({ CNI_COMMAND: 'VERSION' }, JSON.stringify({ cniVersion: '1.0.0', 'log-file': log }));
    await runBin({ ...attach, CNI_COMMAND: 'ADD' }, conf({ 'log-file': log }));
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0] ?? '', /^\S+Z waggle-cni VERSION ok \d+ms$/);
    assert.match(
      lines[1] ?? '',
      /^\S+Z waggle-cni ADD container=c0ffee ifname=eth0 error code=11 msg=".*ENOENT.*" \d+ms$/,
    );
  });
});

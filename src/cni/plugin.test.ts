// Every bad input of the plugin → its CNI error code and one-line message, in process (the binary
// itself is run in bin.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runPlugin } from './plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'waggle-cni-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const missingSocket = join(dir, 'absent', 'agent.sock');
const attach = {
  CNI_CONTAINERID: 'c0ffee',
  CNI_NETNS: '/run/netns/pod-a',
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
};
const conf = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    cniVersion: '1.0.0',
    name: 'waggle',
    type: 'waggle-cni',
    'socket-path': missingSocket,
    ...extra,
  });
const prevResult = { cniVersion: '1.0.0', ips: [{ address: '10.200.1.23/32', interface: 1 }] };

interface Case {
  why: string;
  env: Record<string, string>;
  stdin: string;
  code: number;
  msg: string | RegExp;
  /** The error object's cniVersion: the request's when it is one waggle speaks. */
  cniVersion?: string;
}

const CASES: Case[] = [
  { why: 'no CNI_COMMAND', env: attach, stdin: conf(), code: 4, msg: 'CNI_COMMAND: missing' },
  ...['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'].map((name) => {
    const env: Record<string, string> = { ...attach, CNI_COMMAND: 'ADD' };
    delete env[name];
    return { why: `ADD without ${name}`, env, stdin: conf(), code: 4, msg: `${name}: missing` };
  }),
  {
    why: 'GC without CNI_PATH',
    env: { CNI_COMMAND: 'GC' },
    stdin: conf({ cniVersion: '1.1.0' }),
    code: 4,
    msg: 'CNI_PATH: missing',
  },
  {
    why: 'stdin not JSON',
    env: { ...attach, CNI_COMMAND: 'ADD' },
    stdin: '{"cniVersion": "1.0.0",',
    code: 6,
    msg: /^network config: not JSON: /,
  },
  {
    why: 'stdin empty',
    env: { ...attach, CNI_COMMAND: 'DEL' },
    stdin: '',
    code: 6,
    msg: 'network config: not JSON: stdin is empty',
  },
  {
    why: 'a cniVersion waggle-cni does not speak',
    env: { ...attach, CNI_COMMAND: 'ADD' },
    stdin: conf({ cniVersion: '0.2.0' }),
    code: 1,
    msg: 'network config: cniVersion: "0.2.0" is not supported (supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)',
    cniVersion: '1.1.0',
  },
  {
    why: 'no name',
    env: { ...attach, CNI_COMMAND: 'ADD' },
    stdin: conf({ name: undefined }),
    code: 7,
    msg: 'network config: name: missing',
  },
  {
    why: 'no type',
    env: { ...attach, CNI_COMMAND: 'ADD' },
    stdin: conf({ type: undefined }),
    code: 7,
    msg: 'network config: type: missing',
  },
  {
    why: 'prevResult on ADD: waggle-cni is not a chained plugin',
    env: { ...attach, CNI_COMMAND: 'ADD' },
    stdin: conf({ prevResult }),
    code: 7,
    msg: 'network config: prevResult: given on ADD, but waggle-cni creates the pod interface and must be the first plugin of the list',
  },
  {
    why: 'CHECK without prevResult',
    env: { ...attach, CNI_COMMAND: 'CHECK' },
    stdin: conf(),
    code: 7,
    msg: 'network config: prevResult: missing (CHECK needs the result of the ADD)',
  },
  {
    why: 'CHECK on 0.3.1 (CHECK arrived in 0.4.0)',
    env: { ...attach, CNI_COMMAND: 'CHECK' },
    stdin: conf({ cniVersion: '0.3.1', prevResult }),
    code: 1,
    msg: 'network config: cniVersion: CHECK needs cniVersion 0.4.0 or later, got 0.3.1',
    cniVersion: '0.3.1',
  },
  {
    why: 'STATUS on 1.0.0 (STATUS arrived in 1.1.0)',
    env: { CNI_COMMAND: 'STATUS' },
    stdin: conf(),
    code: 1,
    msg: 'network config: cniVersion: STATUS needs cniVersion 1.1.0 or later, got 1.0.0',
  },
  {
    why: 'GC without its attachment list',
    env: { CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin' },
    stdin: conf({ cniVersion: '1.1.0' }),
    code: 7,
    msg: 'network config: cni.dev/valid-attachments: missing',
  },
  {
    why: 'ADD, agent socket absent',
    env: { ...attach, CNI_COMMAND: 'ADD' },
    stdin: conf(),
    code: 11,
    msg: `agent API ${missingSocket}: no agent listening (ENOENT)`,
  },
];

describe('plugin: bad input → CNI error', () => {
  for (const c of CASES) {
    test(`${c.why} → code ${c.code}`, async () => {
      const out = await runPlugin(c.env, c.stdin);
      assert.equal(out.exitCode, 1);
      const e = JSON.parse(out.stdout) as { cniVersion: string; code: number; msg: string };
      assert.equal(e.code, c.code);
      if (typeof c.msg === 'string') assert.equal(e.msg, c.msg);
      else assert.match(e.msg, c.msg);
      assert.ok(!e.msg.includes('\n'), 'one line');
      const asked = (() => {
        try {
          return (JSON.parse(c.stdin) as { cniVersion?: string }).cniVersion;
        } catch {
          return undefined;
        }
      })();
      assert.equal(e.cniVersion, c.cniVersion ?? asked ?? '1.1.0');
    });
  }
});

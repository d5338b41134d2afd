import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { agentError, resolveSocket } from './agent-client.js';
import { failure } from './cni-error.test-helper.js';

const dir = mkdtempSync(join(tmpdir(), 'waggle-cni-sockets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('agent socket', () => {
  test('socket-path from the config wins, even with agents on the host', () => {
    assert.equal(resolveSocket('/x/agent.sock', dir), '/x/agent.sock');
  });
  test('no agent: code 11 naming the pattern; no directory at all is the same', () => {
    assert.deepEqual(
      failure(() => resolveSocket(undefined, dir)),
      {
        code: 11,
        msg: `agent API ${dir}/*/agent.sock: no agent socket on this host`,
      },
    );
    assert.equal(failure(() => resolveSocket(undefined, join(dir, 'absent'))).code, 11);
    assert.equal(failure(() => resolveSocket(undefined, dir, 50)).code, 50);
  });
  test('one agent is used; several are code 7 naming each socket', () => {
    mkdirSync(join(dir, 'node-b'));
    writeFileSync(join(dir, 'node-b', 'agent.sock'), '');
    mkdirSync(join(dir, 'empty')); // a node directory without a socket is no agent
    assert.equal(resolveSocket(undefined, dir), `${dir}/node-b/agent.sock`);
    mkdirSync(join(dir, 'node-a'));
    writeFileSync(join(dir, 'node-a', 'agent.sock'), '');
    assert.deepEqual(
      failure(() => resolveSocket(undefined, dir)),
      {
        code: 7,
        msg: `network config: socket-path: missing, and this host has 2 agents (${dir}/node-a/agent.sock, ${dir}/node-b/agent.sock)`,
      },
    );
  });
});

describe('agent error replies', () => {
  test("the agent's {error, code} passes through unchanged", () => {
    const e = agentError('x', { status: 409, body: { error: 'node n1: no PodCIDR yet', code: 102 } });
    assert.deepEqual([e.code, e.message], [102, 'node n1: no PodCIDR yet']);
  });
  test('without a code: 404 and 503 are try-again-later, anything else 101', () => {
    assert.deepEqual(
      [404, 503, 500].map(
        (status) => agentError('agent API s: PUT /v1/endpoints', { status, body: undefined }).code,
      ),
      [11, 11, 101],
    );
    assert.equal(
      agentError('agent API s: PUT /v1/endpoints', { status: 500, body: { error: 'boom' } }).message,
      'agent API s: PUT /v1/endpoints: boom',
    );
  });
});

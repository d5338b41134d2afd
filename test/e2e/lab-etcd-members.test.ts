// `waggle lab up --etcd-members 3`: the store as a three-member etcd cluster on server, node-0
// and node-1. Every lab process is given all three members; with the leader SIGKILLed the
// cluster elects another and the store keeps taking writes (host CLI and the operator's
// LB-IPAM); the killed member rejoins; a repair cannot silently swap the store for another
// member count; `lab down` leaves nothing behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { etcdClientUrl, etcdMemberHosts } from '../../src/lab/etcd-members.js';
import { sh } from '../../src/testing/exec.js';
import { leftovers, waggle } from './lab-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENDPOINTS = etcdMemberHosts(3).map(etcdClientUrl).join(',');

interface MemberStatus {
  Endpoint: string;
  Status: { leader: number | string; header: { member_id: number | string } };
}

/** Each member's view (etcdctl inside server, as any lab process would reach them). */
function statuses(): MemberStatus[] {
  const r = sh(
    'ip',
    [
      'netns',
      'exec',
      'waggle-server',
      'etcdctl',
      '--endpoints',
      ENDPOINTS,
      'endpoint',
      'status',
      '-w',
      'json',
    ],
    { allowFail: true, timeoutMs: 10_000 },
  );
  return r.stdout.trim() ? (JSON.parse(r.stdout) as MemberStatus[]) : [];
}

function leaderHost(): string | undefined {
  const lead = statuses().find((s) => String(s.Status.header.member_id) === String(s.Status.leader));
  return etcdMemberHosts(3).find((h) => lead && etcdClientUrl(h) === lead.Endpoint);
}

async function until<T>(what: string, ms: number, fn: () => T | undefined): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) {
    const v = fn();
    if (v !== undefined) return v;
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}

const lbService = (name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] },
  });

describe('lab up --etcd-members 3', { timeout: 300_000 }, () => {
  before(() => {
    waggle(['lab', 'down']);
    const up = waggle(['lab', 'up', '--etcd-members', '3'], 240_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /etcd healthy: 3 member\(s\)/);
  });
  after(() => {
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
  });

  test('three members, one leader; every lab process is given all three', () => {
    const s = statuses();
    assert.equal(s.length, 3, 'three members answer');
    assert.equal(new Set(s.map((x) => String(x.Status.leader))).size, 1, 'they agree on one leader');
    const status = waggle(['lab', 'status']).stdout;
    for (const h of etcdMemberHosts(3)) assert.match(status, new RegExp(`etcd-${h}`));
    const agentCmd = sh('pgrep', ['-af', 'waggle.js agent --node node-1']).stdout;
    assert.match(
      agentCmd,
      /--store etcd:\/\/192\.168\.56\.20:2379,192\.168\.56\.50:2379,192\.168\.56\.60:2379/,
    );
  });

  test('the leader SIGKILLed: another is elected, writes go on (CLI and operator), the member rejoins', async () => {
    assert.equal(waggle(['apply', '-f', 'examples/seed/lb.yaml']).code, 0);
    const old = leaderHost();
    assert.ok(old, 'a leader');
    assert.equal(waggle(['lab', 'kill', 'etcd', old]).code, 0);
    const next = await until('a new leader', 15_000, () => {
      const h = leaderHost();
      return h && h !== old ? h : undefined;
    });
    const put = sh(process.execPath, ['bin/waggle.js', 'apply', '-f', '-'], {
      input: lbService('after-kill'),
      allowFail: true,
      timeoutMs: 30_000,
    });
    assert.equal(put.code, 0, `apply with ${old}'s member down: ${put.stderr}`);
    // The operator, on server, also writes through the surviving members: LB-IPAM assigns.
    const ip = await until('an EXTERNAL-IP for after-kill', 30_000, () => {
      const svc = JSON.parse(waggle(['get', 'svc', 'after-kill', '-o', 'json']).stdout || '{}');
      return svc.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;
    });
    assert.match(ip, /^10\.0\.10\.\d+$/);
    assert.equal(waggle(['lab', 'restart', 'etcd', old]).code, 0);
    await until(`${old}'s member back`, 30_000, () => (statuses().length === 3 ? true : undefined));
    assert.ok(next !== old);
  });

  test('a repair cannot swap the store: lab up --etcd-members 1 on this lab is refused, nothing changed', () => {
    const r = waggle(['lab', 'up', '--etcd-members', '1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the lab's store has 3 member\(s\) and its data; run `waggle lab down` first/);
    assert.equal(statuses().length, 3, 'still three members');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failure } from './cni-error.test-helper.js';
import { parseCniArgs, parseCommand, parseEnv } from './env.js';

const base = { CNI_CONTAINERID: 'abc123', CNI_NETNS: '/run/netns/p1', CNI_IFNAME: 'eth0' };

describe('CNI_ARGS', () => {
  test("kubelet's form: pairs split on ;, values kept whole", () => {
    assert.deepEqual(
      parseCniArgs(
        'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u-1',
      ),
      {
        IgnoreUnknown: '1',
        K8S_POD_NAMESPACE: 'default',
        K8S_POD_NAME: 'web-0',
        K8S_POD_INFRA_CONTAINER_ID: 'abc',
        K8S_POD_UID: 'u-1',
      },
    );
  });
  test('empty text, empty pairs and a trailing ; give nothing extra; = inside a value stays', () => {
    assert.deepEqual(parseCniArgs(''), {});
    assert.deepEqual(parseCniArgs('A=1;;B=x=y;'), { A: '1', B: 'x=y' });
    assert.deepEqual(parseCniArgs('A='), { A: '' });
  });
  test('a pair without = or without a key is code 4 naming CNI_ARGS and the pair', () => {
    assert.deepEqual(
      failure(() => parseCniArgs('A=1;oops')),
      { code: 4, msg: 'CNI_ARGS: "oops" is not K=V' },
    );
    assert.deepEqual(
      failure(() => parseCniArgs('=1')),
      { code: 4, msg: 'CNI_ARGS: "=1" is not K=V' },
    );
  });
});

describe('environment per command', () => {
  test('CNI_COMMAND missing or unknown', () => {
    assert.deepEqual(
      failure(() => parseCommand({})),
      { code: 4, msg: 'CNI_COMMAND: missing' },
    );
    assert.deepEqual(
      failure(() => parseCommand({ CNI_COMMAND: 'add' })),
      {
        code: 4,
        msg: 'CNI_COMMAND: "add" is not one of ADD, DEL, CHECK, VERSION, STATUS, GC',
      },
    );
  });
  for (const cmd of ['ADD', 'CHECK'] as const) {
    for (const name of ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME']) {
      test(`${cmd} without ${name}: code 4 naming it`, () => {
        const env: Record<string, string> = { ...base };
        delete env[name];
        assert.deepEqual(
          failure(() => parseEnv(cmd, env)),
          { code: 4, msg: `${name}: missing` },
        );
      });
    }
  }
  test('DEL needs no CNI_NETNS (the netns may be gone), but the container and ifname', () => {
    assert.equal(parseEnv('DEL', { CNI_CONTAINERID: 'abc', CNI_IFNAME: 'eth0' }).netns, '');
    assert.deepEqual(
      failure(() => parseEnv('DEL', { CNI_IFNAME: 'eth0' })),
      { code: 4, msg: 'CNI_CONTAINERID: missing' },
    );
  });
  test('GC needs CNI_PATH; STATUS needs nothing', () => {
    assert.deepEqual(
      failure(() => parseEnv('GC', {})),
      { code: 4, msg: 'CNI_PATH: missing' },
    );
    assert.equal(parseEnv('STATUS', {}).command, 'STATUS');
  });
  test('a container ID or interface name outside the spec is code 4 naming it', () => {
    assert.equal(failure(() => parseEnv('ADD', { ...base, CNI_CONTAINERID: '-bad' })).code, 4);
    assert.match(
      failure(() => parseEnv('ADD', { ...base, CNI_CONTAINERID: 'a/b' })).msg,
      /^CNI_CONTAINERID: "a\/b"/,
    );
    assert.match(
      failure(() => parseEnv('ADD', { ...base, CNI_IFNAME: 'averyveryverylong0' })).msg,
      /^CNI_IFNAME: /,
    );
    assert.match(failure(() => parseEnv('ADD', { ...base, CNI_IFNAME: 'eth 0' })).msg, /^CNI_IFNAME: /);
    assert.match(failure(() => parseEnv('ADD', { ...base, CNI_IFNAME: '..' })).msg, /^CNI_IFNAME: /);
  });
  test('the attachment and its args are read', () => {
    assert.deepEqual(parseEnv('ADD', { ...base, CNI_ARGS: 'K8S_POD_NAME=web-0' }), {
      command: 'ADD',
      containerId: 'abc123',
      netns: '/run/netns/p1',
      ifname: 'eth0',
      args: { K8S_POD_NAME: 'web-0' },
    });
  });
});

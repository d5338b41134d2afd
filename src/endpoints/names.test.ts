// Device names and MACs the endpoint manager derives: the values are known vectors computed
// outside this code, so a change in the derivation (and so in every device name on every node
// after an upgrade) fails here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lxcName, macFor, tmpPeerName } from './names.js';

// `printf 'abc:eth0' | sha256sum` → b133159de5443cae5a0df6955b8a792593c17de861441060d7635405c366170c
const SHA256_ABC_ETH0 = 'b133159de5443cae5a0df6955b8a792593c17de861441060d7635405c366170c';
// `printf 'seed-x' | sha256sum` → a04b2ad5efb500d17bbc95c20f98717e89b62cf9cadaa84c5429db2f5095996c
const SHA256_SEED_X = 'a04b2ad5efb500d17bbc95c20f98717e89b62cf9cadaa84c5429db2f5095996c';

/** Linux IFNAMSIZ is 16 bytes including the terminating NUL. */
const MAX_IFNAME = 15;

describe('lxcName', () => {
  test('"lxc" + the first 12 hex digits of sha256("<containerID>:<ifname>")', () => {
    assert.equal(lxcName('abc', 'eth0'), `lxc${SHA256_ABC_ETH0.slice(0, 12)}`);
    assert.equal(lxcName('abc', 'eth0'), 'lxcb133159de544');
  });

  test('fits IFNAMSIZ, and another interface of the same container gets another name', () => {
    assert.equal(lxcName('abc', 'eth0').length, MAX_IFNAME);
    assert.notEqual(lxcName('abc', 'eth1'), lxcName('abc', 'eth0'));
    assert.notEqual(lxcName('abd', 'eth0'), lxcName('abc', 'eth0'));
  });
});

describe('tmpPeerName', () => {
  test('fits IFNAMSIZ, differs from the host side, and keeps its hash', () => {
    const host = lxcName('abc', 'eth0');
    const tmp = tmpPeerName(host);
    assert.ok(tmp.length <= MAX_IFNAME, `${tmp} is ${tmp.length} characters`);
    assert.notEqual(tmp, host);
    assert.equal(tmp, `tmp${SHA256_ABC_ETH0.slice(0, 12)}`);
  });

  test('two attachments get two temporary names', () => {
    assert.notEqual(tmpPeerName(lxcName('abc', 'eth0')), tmpPeerName(lxcName('abc', 'eth1')));
  });
});

describe('macFor', () => {
  const firstOctet = (mac: string) => Number.parseInt(mac.slice(0, 2), 16);

  test('the seed hash with the first octet made locally administered (bit 1) and unicast (bit 0 clear)', () => {
    // 0xa0 → 0xa2: the local bit set, the rest of the hash kept.
    assert.equal(macFor('seed-x'), `a2:${SHA256_SEED_X.slice(2, 12).match(/../g)?.join(':')}`);
    // 0xb1 has the multicast bit set: it must come out 0xb2.
    assert.equal(macFor('abc:eth0'), 'b2:33:15:9d:e5:44');
  });

  test('every MAC is unicast and locally administered, and stable per seed', () => {
    for (let i = 0; i < 64; i++) {
      const mac = macFor(`seed-${i}`);
      assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      assert.equal(firstOctet(mac) & 1, 0, `${mac} is multicast`);
      assert.equal(firstOctet(mac) & 2, 2, `${mac} is not locally administered`);
      assert.equal(macFor(`seed-${i}`), mac);
    }
  });
});

// cgroup2 mounts from mountinfo: the fs type after " - ", octal escapes, the innermost mount of a path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroup2MountOf, cgroup2Mounts, findCgroup2Mount } from './cgroup2.js';

const HYBRID = [
  '30 24 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate',
  '32 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu',
  '90 22 0:27 / /run/my\\040lab rw - cgroup2 none rw',
].join('\n');

test('cgroup2 mounts: only cgroup2 (not v1, not tmpfs), unescaped, shortest first', () => {
  assert.deepEqual(cgroup2Mounts(HYBRID), ['/run/my lab', '/sys/fs/cgroup/unified']);
  assert.equal(findCgroup2Mount(HYBRID), '/run/my lab');
  assert.equal(findCgroup2Mount('30 24 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw'), undefined);
});

test('the cgroup2 mount a directory lies in, or none (a cgroup v1 directory is not one)', () => {
  assert.equal(
    cgroup2MountOf('/sys/fs/cgroup/unified/waggle-test-1/node-a', HYBRID),
    '/sys/fs/cgroup/unified',
  );
  assert.equal(cgroup2MountOf('/sys/fs/cgroup/unified/', HYBRID), '/sys/fs/cgroup/unified');
  assert.equal(cgroup2MountOf('/sys/fs/cgroup/cpu/x', HYBRID), undefined);
  assert.equal(cgroup2MountOf('/sys/fs/cgroup/unifiedx', HYBRID), undefined);
});

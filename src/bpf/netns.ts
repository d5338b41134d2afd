// Running a synchronous piece of work inside a named network namespace (/run/netns/NAME, as
// created by `ip netns add`). setns() switches only the calling thread, and JavaScript runs on
// one thread, so the switch is invisible to the rest of the process as long as `fn` does not
// await. Sockets and netlink handles opened inside stay bound to that namespace afterwards.
import { BpfError } from './errors.js';
import { c, errno } from './native.js';

const CLONE_NEWNET = 0x40000000;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;

export function withNetns<T>(name: string, fn: () => T): T {
  if (fn.constructor.name === 'AsyncFunction') {
    throw new BpfError({
      op: 'enter netns',
      object: name,
      code: 'EINVAL',
      message: 'fn must be synchronous',
    });
  }
  const leave = enterNetns(name);
  try {
    return fn();
  } finally {
    leave();
  }
}

/**
 * Moves the JavaScript thread into /run/netns/NAME until the returned function is called — for
 * a process that does all of its work there (a test file running an agent in-process, since
 * node's test runner gives each file its own process). Child processes spawned meanwhile start
 * in that namespace; libuv's worker threads (file I/O) stay where they were, which is harmless.
 */
export function enterNetns(name: string): () => void {
  const self = c.open('/proc/thread-self/ns/net', O_RDONLY | O_CLOEXEC) as number;
  if (self < 0) throw new BpfError({ op: 'open netns', object: 'self', errno: errno() });
  const target = c.open(`/run/netns/${name}`, O_RDONLY | O_CLOEXEC) as number;
  if (target < 0) {
    const e = errno();
    c.close(self);
    throw new BpfError({ op: 'open netns', object: name, errno: e, hint: 'does `ip netns list` show it?' });
  }
  const entered = (c.setns(target, CLONE_NEWNET) as number) >= 0;
  const e = errno();
  c.close(target);
  if (!entered) {
    c.close(self);
    throw new BpfError({ op: 'enter netns', object: name, errno: e });
  }
  return () => {
    if ((c.setns(self, CLONE_NEWNET) as number) < 0) {
      process.stderr.write(`waggle: fatal: cannot return from netns ${name}\n`);
      process.exit(70);
    }
    c.close(self);
  };
}

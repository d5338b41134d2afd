// Network namespaces for tests: every namespace and link a test makes lives inside namespaces it
// created, with a name unique to this process, and is removed by destroy() even after failure.
// Nothing here touches the host's own interfaces, routes or addresses.
import { sh, shAsync, type RunResult } from './exec.js';

let counter = 0;

/** A short unique prefix (netns and link names are limited to 15 characters). */
export function uniqueName(tag: string): string {
  counter += 1;
  return `w${tag}${process.pid % 100000}${counter}`.slice(0, 15);
}

export class TestNetns {
  readonly name: string;
  #alive = true;

  private constructor(name: string) {
    this.name = name;
  }

  static create(tag = 'ns'): TestNetns {
    const name = uniqueName(tag);
    sh('ip', ['netns', 'add', name]);
    const ns = new TestNetns(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** Runs a command inside the namespace. */
  exec(cmd: string, args: string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}): RunResult {
    return sh('ip', ['netns', 'exec', this.name, cmd, ...args], opts);
  }

  execAsync(cmd: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
    return shAsync('ip', ['netns', 'exec', this.name, cmd, ...args], timeoutMs);
  }

  ip(...args: string[]): RunResult {
    return sh('ip', ['-n', this.name, ...args]);
  }

  ifindex(dev: string): number {
    const out = JSON.parse(sh('ip', ['-n', this.name, '-j', 'link', 'show', 'dev', dev]).stdout) as Array<{
      ifindex: number;
    }>;
    const idx = out[0]?.ifindex;
    if (idx === undefined) throw new Error(`no device ${dev} in netns ${this.name}`);
    return idx;
  }

  mac(dev: string): string {
    const out = JSON.parse(sh('ip', ['-n', this.name, '-j', 'link', 'show', 'dev', dev]).stdout) as Array<{
      address: string;
    }>;
    const mac = out[0]?.address;
    if (!mac) throw new Error(`no device ${dev} in netns ${this.name}`);
    return mac;
  }

  destroy(): void {
    if (!this.#alive) return;
    this.#alive = false;
    sh('ip', ['netns', 'del', this.name], { allowFail: true });
  }
}

/**
 * Two namespaces joined by a veth pair: `a` has device `devA` with `addrA`, `b` has `devB` with
 * `addrB` (CIDR strings). The pair is created directly inside the namespaces' scope: it is made
 * in `a` and one end is moved to `b`, so it never exists in the host namespace.
 */
export function vethPair(
  opts: { devA?: string; devB?: string; addrA?: string; addrB?: string; macA?: string; macB?: string } = {},
) {
  const a = TestNetns.create('a');
  let b: TestNetns | undefined;
  try {
    b = TestNetns.create('b');
    const devA = opts.devA ?? 'veth0';
    const devB = opts.devB ?? 'veth1';
    a.ip(
      'link',
      'add',
      devA,
      ...(opts.macA ? ['address', opts.macA] : []),
      'type',
      'veth',
      'peer',
      'name',
      devB,
      ...(opts.macB ? ['address', opts.macB] : []),
      'netns',
      b.name,
    );
    if (opts.addrA) a.ip('addr', 'add', opts.addrA, 'dev', devA);
    if (opts.addrB) b.ip('addr', 'add', opts.addrB, 'dev', devB);
    a.ip('link', 'set', devA, 'up');
    b.ip('link', 'set', devB, 'up');
    const bb = b;
    return {
      a,
      b: bb,
      devA,
      devB,
      destroy() {
        a.destroy();
        bb.destroy();
      },
    };
  } catch (err) {
    a.destroy();
    b?.destroy();
    throw err;
  }
}

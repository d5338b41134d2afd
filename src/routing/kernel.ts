// The kernel side of node routes, through iproute2 (src/lib/exec.ts: async, with a timeout).
// Only routes of NODE_ROUTE_PROTO in the main table are ever changed: a removal names the
// protocol, so the kernel itself refuses to delete anybody else's route, and a new route is
// added with `ip route add`, which fails on an existing route for the same key instead of
// overwriting it as `replace` would.
import { run } from '../lib/exec.js';
import {
  canonicalIpv4Cidr,
  type KernelRoute,
  NODE_ROUTE_PROTO,
  type NodeRoute,
  type PathToNode,
} from './node-routes.js';

const TIMEOUT_MS = 5000;
const PROTO = String(NODE_ROUTE_PROTO);

interface RouteJson {
  type?: string;
  dst?: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
}

export interface NodeRouteKernelOptions {
  /**
   * Run every command in this named network namespace (`ip -n NAME`). For tests: a command
   * that carries the namespace cannot reach the host's routes whatever the test gets wrong.
   */
  netns?: string;
}

export class NodeRouteKernel {
  readonly #prefix: string[];

  constructor(o: NodeRouteKernelOptions = {}) {
    this.#prefix = o.netns === undefined ? [] : ['-n', o.netns];
  }

  async #ip(args: string[], allowFail = false) {
    return run('ip', [...this.#prefix, ...args], { timeoutMs: TIMEOUT_MS, allowFail });
  }

  /** How the kernel reaches `ip` now: the device and gateway of `ip route get`, null without a route. */
  async routeTo(ip: string): Promise<PathToNode | null> {
    const r = await this.#ip(['-j', 'route', 'get', ip], true);
    // iproute2 exits 2 with "Network is unreachable" when no route matches.
    if (r.code !== 0) return null;
    const got = (JSON.parse(r.stdout) as RouteJson[])[0];
    if (!got?.dev) return null;
    return {
      dev: got.dev,
      ...(got.gateway !== undefined ? { gateway: got.gateway } : {}),
      ...(got.type === 'local' ? { local: true } : {}),
    };
  }

  /** The main table's routes of our protocol (IPv4). */
  async ourRoutes(): Promise<KernelRoute[]> {
    const r = await this.#ip(['-j', '-4', 'route', 'show', 'proto', PROTO]);
    return parseRoutes(r.stdout);
  }

  /** Routes of any other protocol for exactly this prefix, as `ip route` prints them. */
  async foreignRoutes(cidr: string): Promise<string[]> {
    const r = await this.#ip(['-j', '-4', 'route', 'show', 'exact', cidr]);
    return (JSON.parse(r.stdout || '[]') as RouteJson[])
      .filter((x) => x.protocol !== PROTO)
      .map(
        (x) =>
          `${x.dst ?? cidr}${x.gateway ? ` via ${x.gateway}` : ''}${x.dev ? ` dev ${x.dev}` : ''} proto ${x.protocol ?? 'boot'}`,
      );
  }

  /** Adds a route for a prefix that has none; false when one already exists (any protocol). */
  async add(route: NodeRoute): Promise<boolean> {
    const r = await this.#ip(['route', 'add', ...routeArgs(route)], true);
    if (r.code === 0) return true;
    if (/File exists/.test(r.stderr)) return false;
    throw new Error(`route ${route.cidr}: ip route add: ${r.stderr.trim() || `exited ${r.code}`}`);
  }

  /** Changes the next hop of a prefix whose route is ours (the caller has just listed it as ours). */
  async replace(route: NodeRoute): Promise<void> {
    await this.#ip(['route', 'replace', ...routeArgs(route)]);
  }

  /** Removes our route; a route of another protocol for the prefix does not match and stays. */
  async remove(route: KernelRoute): Promise<void> {
    const args = [
      route.cidr,
      ...(route.via ? ['via', route.via] : []),
      ...(route.dev ? ['dev', route.dev] : []),
    ];
    const r = await this.#ip(['route', 'del', ...args, 'proto', PROTO], true);
    // Already gone (ESRCH) is the state we wanted.
    if (r.code !== 0 && !/No such process/.test(r.stderr))
      throw new Error(`route ${route.cidr}: ip route del: ${r.stderr.trim() || `exited ${r.code}`}`);
  }
}

function routeArgs(route: NodeRoute): string[] {
  return [route.cidr, 'via', route.via, 'dev', route.dev, 'proto', PROTO];
}

export function parseRoutes(json: string): KernelRoute[] {
  const out: KernelRoute[] = [];
  for (const x of JSON.parse(json || '[]') as RouteJson[]) {
    // `ip route` prints a /32 without its length and the default route as "default".
    const cidr = x.dst === 'default' ? '0.0.0.0/0' : x.dst ? canonicalIpv4Cidr(x.dst) : undefined;
    if (!cidr) continue;
    out.push({ cidr, ...(x.gateway ? { via: x.gateway } : {}), ...(x.dev ? { dev: x.dev } : {}) });
  }
  return out;
}

// Store URLs: `etcd://host:port[,host:port…][/prefix/]`, `etcd+unix:///path/to/socket[,/path…]`
// (the lab's etcd members, reachable from every lab namespace through the filesystem) and `memory://`. Parsing is strict so a
// typo is a one-line error naming the URL, not a connection attempt to somewhere unexpected.
import { defaultPrefix } from './etcd-keys.js';

export type StoreUrl = { backend: 'memory' } | { backend: 'etcd'; endpoints: string[]; prefix: string };

export class StoreUrlError extends Error {
  constructor(url: string, why: string) {
    super(
      `store URL "${url}": ${why} (expected etcd://HOST:PORT[,HOST:PORT…], etcd+unix:///SOCKET[,/SOCKET…] or memory://)`,
    );
    this.name = 'StoreUrlError';
  }
}

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function parseStoreUrl(url: string): StoreUrl {
  if (url === 'memory://' || url === 'memory:') return { backend: 'memory' };
  // One socket, or one per member of a cluster (the lab's three), comma-separated.
  const unix = /^etcd\+unix:\/\/(\/\S+)$/.exec(url);
  if (unix) {
    const paths = (unix[1] as string).split(',');
    const bad = paths.find((p) => !p.startsWith('/'));
    if (bad !== undefined) throw new StoreUrlError(url, `"${bad}" is not an absolute socket path`);
    return { backend: 'etcd', endpoints: paths.map((p) => `unix://${p}`), prefix: defaultPrefix };
  }
  const m = /^etcd:\/\/([^/]*)(\/.*)?$/.exec(url);
  if (!m) throw new StoreUrlError(url, 'unknown scheme');
  const hosts = (m[1] ?? '').split(',').filter((h) => h !== '');
  if (hosts.length === 0) throw new StoreUrlError(url, 'no host:port');
  for (const h of hosts) {
    const hp = hostPort.exec(h);
    const port = Number(hp?.[2]);
    if (!hp || port < 1 || port > 65535) throw new StoreUrlError(url, `"${h}" is not host:port`);
  }
  const path = m[2];
  const prefix = path && path !== '/' ? (path.endsWith('/') ? path : `${path}/`) : defaultPrefix;
  return { backend: 'etcd', endpoints: hosts, prefix };
}

// Store URLs: `etcd://host:port[,host:port…][/prefix/]`, `etcd+unix:///path/to/socket` (the
// lab's etcd, reachable from every lab namespace through the filesystem) and `memory://`. Parsing is strict so a
// typo is a one-line error naming the URL, not a connection attempt to somewhere unexpected.
import { defaultPrefix } from './etcd-keys.js';

export type StoreUrl = { backend: 'memory' } | { backend: 'etcd'; endpoints: string[]; prefix: string };

export class StoreUrlError extends Error {
  constructor(url: string, why: string) {
    super(
      `store URL "${url}": ${why} (expected etcd://HOST:PORT[,HOST:PORT…], etcd+unix:///SOCKET or memory://)`,
    );
    this.name = 'StoreUrlError';
  }
}

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function parseStoreUrl(url: string): StoreUrl {
  if (url === 'memory://' || url === 'memory:') return { backend: 'memory' };
  const unix = /^etcd\+unix:\/\/(\/\S+)$/.exec(url);
  if (unix) return { backend: 'etcd', endpoints: [`unix://${unix[1]}`], prefix: defaultPrefix };
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

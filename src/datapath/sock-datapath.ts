// The service maps and the socket-LB programs as the agent uses them: bpf_sock.o (spec in
// objects/sock.ts) loaded with its maps sized by the agent's flags and pinned by name beside
// bpf_host's, so a restarted agent finds its services, backend IDs and service IDs again.
//
//   const lb = loadSockDatapath({ pinDir, sizes: { services: 65536, ... } });
//   lb.backends.set(1, { address: '10.200.1.5', port: 80, proto: 6, state: 0 });
//   attachCgroupPinned(lb.programs.connect4, '/sys/fs/cgroup/unified/node-1', 'connect4', pin);
import { type LoadedObject, loadObject } from '../bpf/loader.js';
import { sockObject } from './objects/sock.js';

export type SockMaps = LoadedObject<typeof sockObject>['maps'];
export type SockPrograms = LoadedObject<typeof sockObject>['programs'];

export interface LbMapSizes {
  /** waggle_lb4_services_v2 rows (master + slot rows). */
  services: number;
  backends: number;
  reverseNat: number;
  /** waggle_lb4_reverse_sk (LRU). */
  reverseSk: number;
}

export interface SockDatapath {
  readonly maps: SockMaps;
  readonly programs: SockPrograms;
  readonly pinDir: string;
  close(): void;
}

export function loadSockDatapath(opts: {
  objPath?: string;
  pinDir: string;
  sizes: LbMapSizes;
}): SockDatapath {
  const loaded = loadObject(sockObject, {
    ...(opts.objPath ? { path: opts.objPath } : {}),
    pinDir: opts.pinDir,
    maxEntries: opts.sizes,
  });
  return { maps: loaded.maps, programs: loaded.programs, pinDir: loaded.pinDir, close: loaded.close };
}

// Which store a command talks to: --store, else $WAGGLE_STORE, else the running lab's (the lab
// writes its URL to /run/waggle/lab/store-url), else a one-line error saying how to pick one.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { openStore, parseStoreUrl, type Store } from '../store/index.js';

export const labStoreUrlFile = '/run/waggle/lab/store-url';

export const noStoreMessage =
  'no store configured: pass --store etcd://HOST:PORT or set WAGGLE_STORE (or start the lab: waggle lab up)';

export interface StoreSelection {
  option?: string | undefined;
  env?: NodeJS.ProcessEnv;
  labFile?: string;
}

/** The store URL to use (validated), or throws with noStoreMessage. */
export function resolveStoreUrl(sel: StoreSelection = {}): string {
  const env = sel.env ?? process.env;
  const labFile = sel.labFile ?? labStoreUrlFile;
  const fromLab = existsSync(labFile) ? readFileSync(labFile, 'utf8').trim() : '';
  const url = sel.option || env.WAGGLE_STORE || fromLab;
  if (!url) throw new Error(noStoreMessage);
  parseStoreUrl(url); // a malformed URL fails here, naming it
  return url;
}

/** Opens the store selected by the program's global --store option (and the fallbacks). */
export function storeFromProgram(cmd: Command): Store {
  const root = cmd.parent ?? cmd;
  const option = (root.opts() as { store?: string }).store;
  return openStore(resolveStoreUrl({ option }));
}

/** Runs fn with the selected store and always closes it. */
export async function withCliStore<R>(cmd: Command, fn: (store: Store) => Promise<R>): Promise<R> {
  const store = storeFromProgram(cmd);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

// Running the CLI as a really unprivileged user (uid/gid 65534 "nobody", no groups, empty
// inheritable and bounding capability sets) wherever the checkout lives. nobody cannot enter a
// checkout under a 0700 directory (root's home on Debian, a `mktemp -d` folder), so the CLI is
// run from a copy of just what it needs to start — bin/, dist/src/, build/bpf/, package.json and
// the production packages named in package-lock.json (tens of MB, not the dev tools) — in a fresh
// world-traversable directory under /tmp, removed afterwards. Symlinks are followed while
// copying: a node_modules that links elsewhere would lead nobody back into a closed directory.
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunResult, sh } from './exec.js';

export const NOBODY_SETPRIV = [
  '--reuid=65534',
  '--regid=65534',
  '--clear-groups',
  '--inh-caps=-all',
  '--bounding-set=-all',
];

export interface CliCopy {
  dir: string;
  /** How long the copy took (ms). */
  copyMs: number;
  /** `node bin/waggle.js ARGS` as nobody, with the copy as its working directory. */
  run(args: string[]): RunResult;
  remove(): void;
}

/** Production package paths (`node_modules/…`) from the lockfile, outermost only. */
function productionPackages(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { dev?: boolean }>;
  };
  const paths = Object.entries(lock.packages ?? {})
    .filter(([path, p]) => path.startsWith('node_modules/') && p.dev !== true)
    .map(([path]) => path)
    .filter((path) => existsSync(join(root, path))) // optional platform packages not installed
    .sort();
  return paths.filter((p) => !paths.some((outer) => p !== outer && p.startsWith(`${outer}/`)));
}

/** Copies what `node bin/waggle.js` needs from `root` (default: this checkout) to /tmp. */
export function cliCopyForNobody(root = process.cwd()): CliCopy {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'waggle-nobody-'));
  try {
    chmodSync(dir, 0o755); // mkdtemp makes it 0700
    const copy = (path: string) =>
      cpSync(join(root, path), join(dir, path), { recursive: true, dereference: true });
    for (const path of ['package.json', 'bin', 'dist/src', 'build/bpf', ...productionPackages(root)])
      copy(path);
    // The copy's own modes come from the checkout; make sure nobody can read and traverse it.
    sh('chmod', ['-R', 'a+rX', dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const copyMs = Math.round(performance.now() - t0);
  return {
    dir,
    copyMs,
    run: (args) =>
      sh('setpriv', [...NOBODY_SETPRIV, process.execPath, 'bin/waggle.js', ...args], {
        allowFail: true,
        cwd: dir,
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// `waggle cni install`: puts the plugin where a runtime looks for it. Two files, each written to a
// temporary name and renamed into place, so a runtime reading the directory (kubelet and
// containerd watch the conf dir) never sees half a file:
//   <bin-dir>/waggle-cni             a launcher running this checkout's plugin by absolute path
//   <conf-dir>/<conflist-name>       the network: waggle-cni first, then the chained plugins
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_TYPE = 'waggle-cni';
/** The highest version current containerd and CRI-O parse; waggle-cni itself speaks up to 1.1.0. */
export const CONFLIST_VERSION = '1.0.0';

export interface InstallOptions {
  cniBinDir: string;
  cniConfDir: string;
  socketPath?: string;
  name: string;
  conflistName: string;
  /** Plugins chained after waggle-cni, by type, e.g. ["tuning", "portmap"]. */
  chain: string[];
  /** The node binary the launcher runs; absolute, as a runtime's PATH may not have node. */
  nodePath?: string;
  /** The plugin's compiled entry point; defaults to this checkout's. */
  mainPath?: string;
}

export interface Written {
  path: string;
  what: string;
}

/** Default config of the chained plugins waggle knows (containernetworking/plugins README). */
const CHAINED_DEFAULTS: Record<string, Record<string, unknown>> = {
  tuning: {},
  portmap: { capabilities: { portMappings: true } },
  bandwidth: { capabilities: { bandwidth: true } },
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function conflist(
  opts: Pick<InstallOptions, 'name' | 'socketPath' | 'chain'>,
): Record<string, unknown> {
  if (!NAME.test(opts.name))
    throw new Error(`--name: "${opts.name}" must be alphanumeric, then [A-Za-z0-9_.-]`);
  const first: Record<string, unknown> = { type: PLUGIN_TYPE };
  if (opts.socketPath !== undefined) {
    if (!opts.socketPath.startsWith('/'))
      throw new Error(`--socket-path: "${opts.socketPath}" must be absolute`);
    first['socket-path'] = opts.socketPath;
  }
  const seen = new Set<string>([PLUGIN_TYPE]);
  const chained = opts.chain.map((type) => {
    if (!NAME.test(type)) throw new Error(`--chain: "${type}" is not a plugin binary name`);
    if (seen.has(type)) throw new Error(`--chain: "${type}" is listed twice (or is waggle-cni itself)`);
    seen.add(type);
    return { type, ...(CHAINED_DEFAULTS[type] ?? {}) };
  });
  return { cniVersion: CONFLIST_VERSION, name: opts.name, plugins: [first, ...chained] };
}

/** A POSIX shell string literal: single quotes, each ' written as '\''. */
const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The launcher: the native fast path (build/cni/waggle-cni, see cni/waggle-cni.c) when it is
 * built, which hands anything it does not carry to the agent over to the node plugin named here.
 */
export function launcherScript(nodePath: string, mainPath: string, nativePath?: string): string {
  const node = `exec ${shQuote(nodePath)} --no-warnings ${shQuote(mainPath)} "$@"`;
  return [
    '#!/bin/sh',
    '# waggle-cni, written by `waggle cni install`: runs the plugin of one waggle checkout.',
    ...(nativePath
      ? [
          `if [ -x ${shQuote(nativePath)} ]; then`,
          `  WAGGLE_CNI_NODE=${shQuote(nodePath)} WAGGLE_CNI_MAIN=${shQuote(mainPath)} exec ${shQuote(nativePath)}`,
          'fi',
        ]
      : []),
    node,
    '',
  ].join('\n');
}

export function installCni(opts: InstallOptions): Written[] {
  const nodePath = opts.nodePath ?? process.execPath;
  const mainPath = opts.mainPath ?? fileURLToPath(new URL('./main.js', import.meta.url));
  if (!existsSync(mainPath)) throw new Error(`plugin ${mainPath}: not built (run make build)`);
  if (basename(opts.conflistName) !== opts.conflistName || !opts.conflistName.endsWith('.conflist'))
    throw new Error(`--conflist-name: "${opts.conflistName}" must be a file name ending in .conflist`);
  const list = conflist(opts);
  const launcher = join(opts.cniBinDir, PLUGIN_TYPE);
  const conf = join(opts.cniConfDir, opts.conflistName);
  const native = fileURLToPath(new URL('../../../build/cni/waggle-cni', import.meta.url));
  writeAtomic(launcher, launcherScript(nodePath, mainPath, existsSync(native) ? native : undefined), 0o755);
  writeAtomic(conf, `${JSON.stringify(list, null, 2)}\n`, 0o644);
  const types = (list.plugins as Array<{ type: string }>).map((p) => p.type).join(', ');
  return [
    { path: launcher, what: `launcher: ${nodePath} ${mainPath}` },
    { path: conf, what: `network "${opts.name}", plugins: ${types}` },
  ];
}

function writeAtomic(path: string, text: string, mode: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, { mode });
    chmodSync(tmp, mode); // writeFileSync's mode is filtered by the umask
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`write ${path}: ${(err as Error).message}`);
  }
}

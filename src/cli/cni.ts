// `waggle cni …`: setting a node up for the waggle-cni plugin.
import type { Command } from 'commander';
import { installCni } from '../cni/install.js';

interface InstallFlags {
  cniBinDir: string;
  cniConfDir: string;
  socketPath?: string;
  name: string;
  conflistName: string;
  chain: string;
}

export function registerCni(program: Command): void {
  const cni = program.command('cni').description('the waggle-cni plugin for container runtimes');
  cni
    .command('install')
    .description('write the waggle-cni launcher into the CNI bin dir and a conflist into the conf dir')
    .requiredOption('--cni-bin-dir <dir>', 'where the runtime looks for plugins, e.g. /opt/cni/bin')
    .requiredOption('--cni-conf-dir <dir>', 'where the runtime reads network configs, e.g. /etc/cni/net.d')
    .option('--socket-path <path>', "the agent's API socket (default: the only agent on the host)")
    .option('--name <name>', 'network name', 'waggle')
    .option(
      '--conflist-name <file>',
      'conflist file name (lowest sorts first and wins)',
      '05-waggle.conflist',
    )
    .option('--chain <types>', 'comma-separated plugins to chain after waggle-cni, e.g. tuning,portmap', '')
    .action((f: InstallFlags) => {
      const chain = f.chain
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const written = installCni({
        cniBinDir: f.cniBinDir,
        cniConfDir: f.cniConfDir,
        ...(f.socketPath !== undefined ? { socketPath: f.socketPath } : {}),
        name: f.name,
        conflistName: f.conflistName,
        chain,
      });
      for (const w of written) process.stdout.write(`wrote ${w.path} (${w.what})\n`);
    });
}

// `waggle lab kubelet` (hidden): the lab's kubelet for one node, started by the supervisor in the
// node's network namespace but the host's mount namespace (nsenter --net), so the namespaces it
// mounts are seen by the node's agent and the cgroup filesystem is the host's.
import { type Command, Option } from 'commander';
import { parseDuration } from '../../l2announcer/timings.js';
import { runUntilSignal } from '../../lib/shutdown.js';
import { openStore } from '../../store/index.js';
import { nodeCgroup } from './cgroup.js';
import { Kubelet } from './kubelet.js';

interface Flags {
  node: string;
  store: string;
  cniConfDir: string;
  cniBinDir: string;
  rootDir: string;
  cgroupRoot?: string;
  nodeIp?: string;
  restartBackoff: string;
  maxRestartBackoff: string;
}

export function registerKubelet(lab: Command, defaults: { rootDir: string }): void {
  lab
    .command('kubelet', { hidden: true })
    .description("the lab's kubelet for one node")
    .requiredOption('--node <name>', 'the Node whose pods this kubelet runs')
    // --store is the program's global option (commander hands it to the root command).
    .requiredOption('--cni-conf-dir <dir>', 'the conflist to use (the first .conflist by name)')
    .requiredOption('--cni-bin-dir <dir>', 'plugins (CNI_PATH, before /usr/lib/cni)')
    .option('--root-dir <dir>', 'records and namespaces, under <dir>/<node>', defaults.rootDir)
    .option('--cgroup-root <dir>', "this node's cgroup v2 directory (default <cgroup2>/waggle-lab/<node>)")
    .option('--node-ip <ip>', "hostIP until the Node's InternalIP is known")
    .addOption(new Option('--restart-backoff <duration>', 'first crash-loop back-off').default('10s'))
    .addOption(new Option('--max-restart-backoff <duration>', 'longest crash-loop back-off').default('300s'))
    .action(async (f: Flags, cmd: Command) => {
      f.store = (cmd.optsWithGlobals() as { store?: string }).store ?? '';
      if (!f.store) throw new Error('lab kubelet: --store: required (e.g. etcd://192.168.56.20:2379)');
      const log = (line: string) =>
        process.stdout.write(`${new Date().toISOString()} kubelet ${f.node}: ${line}\n`);
      const store = openStore(f.store);
      const kubelet = new Kubelet({
        node: f.node,
        store,
        rootBase: f.rootDir,
        nodeCgroup: f.cgroupRoot ?? nodeCgroup(f.node),
        cni: { confDir: f.cniConfDir, binDirs: [f.cniBinDir, '/usr/lib/cni'] },
        ...(f.nodeIp ? { nodeIP: f.nodeIp } : {}),
        backoff: { initialMs: parseDuration(f.restartBackoff), maxMs: parseDuration(f.maxRestartBackoff) },
        log,
      });
      await runUntilSignal({
        name: 'kubelet',
        log,
        // Pods keep running: a restarted kubelet adopts them.
        steps: [
          { name: 'informer', run: () => kubelet.stop() },
          { name: 'store', run: () => store.close() },
        ],
        start: async () => {
          await kubelet.start();
          log(`running pods of node ${f.node} (root ${kubelet.nodeRoot})`);
        },
      });
    });
}

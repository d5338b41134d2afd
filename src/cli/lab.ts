// `waggle lab …`: the seed's four machines in network namespaces on this host, supervised, and
// the demo that tells the seed's story on them (`make demo` runs `waggle lab demo`).
import { type EtcdMembers, parseEtcdMembers } from '../lab/etcd-members.js';
import { type Command, CommanderError, Option } from 'commander';
import { labExec, labKill, labLogs, labRestart } from '../lab/control.js';
import { registerControllerManager } from '../lab/control-plane/command.js';
import { runDemo, SECTIONS, type Section } from '../lab/demo/run.js';
import { labDown } from '../lab/down.js';
import { registerKubelet } from '../lab/kubelet/command.js';
import { KUBELET_DIR } from '../lab/paths.js';
import { labStatus } from '../lab/status.js';
import { supervise } from '../lab/supervisor.js';
import { labUp } from '../lab/up.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

function demoCommand(parent: Command): void {
  parent
    .command('demo')
    .description("bring the lab up and replay the seeds' stories (001, 004, 003), checking every step")
    .option('--no-proxy-arp', 'skip the optional proxy_arp experiment')
    .addOption(new Option('--only <section>', 'one seed only, on a fresh lab').choices([...SECTIONS]))
    .action(async (opts: { proxyArp: boolean; only?: Section }) => {
      await runDemo({ proxyArp: opts.proxyArp, say, ...(opts.only ? { only: opts.only } : {}) });
    });
}

export function registerLab(program: Command): void {
  const lab = program
    .command('lab')
    .description("the seed's lab: jumpbox, server, node-0, node-1 in network namespaces");
  lab
    .command('up')
    .description('create (or repair) the lab and start its processes')
    .option(
      '--etcd-members <n>',
      'etcd members: 1 (on server) or 3 (server, node-0, node-1); default: as the running lab, else 1',
      parseEtcdMembers,
    )
    .action((o: { etcdMembers?: EtcdMembers }) =>
      labUp(say, o.etcdMembers ? { etcdMembers: o.etcdMembers } : {}),
    );
  lab
    .command('down')
    .description('remove everything the lab created')
    .action(() => labDown(say));
  lab
    .command('status')
    .description('topology and process state')
    .action(() => {
      if (!labStatus(say)) throw new CommanderError(1, 'lab.status', '');
    });
  lab
    .command('exec')
    .description('run a command in a lab host: waggle lab exec node-1 -- ip addr')
    .argument('<host>', 'jumpbox, server, node-0 or node-1')
    .argument('<cmd...>', 'the command and its arguments (after --)')
    .action((host: string, cmd: string[]) => {
      const code = labExec(host, cmd);
      if (code !== 0) throw new CommanderError(code, 'lab.exec', '');
    });
  lab
    .command('logs')
    .description("print a component's log: waggle lab logs agent node-1")
    .argument('<component>', 'etcd, operator or agent')
    .argument('[host]', 'the host, when the component runs on several')
    .addOption(
      new Option('-n, --tail <lines>', 'only the last lines').argParser((v) => Number.parseInt(v, 10)),
    )
    .action((component: string, host: string | undefined, opts: { tail?: number }) => {
      process.stdout.write(labLogs(component, host, opts.tail));
    });
  lab
    .command('kill')
    .description('SIGKILL a component and keep it down (fault experiments)')
    .argument('<component>')
    .argument('[host]')
    .action((component: string, host: string | undefined) => labKill(component, host, say));
  lab
    .command('restart')
    .description('start a component again (after `lab kill`, or to restart a running one)')
    .argument('<component>')
    .argument('[host]')
    .action((component: string, host: string | undefined) => labRestart(component, host, say));
  lab.command('supervise', { hidden: true }).action(() => supervise());
  registerControllerManager(lab);
  registerKubelet(lab, { rootDir: KUBELET_DIR });
  demoCommand(lab);
}

// `waggle exec` and `waggle logs`, kubectl's habits: the pod by name in a namespace (-n, default
// "default"), -c for the container (default the first), the command after `--`, its exit code
// passed through; -i/-t hand this terminal to the command. They run on the machine of the lab's
// kubelets (a real kubectl reaches the pod's kubelet instead).
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { execInPod, printLogs } from '../lab/kubelet/exec.js';
import { KUBELET_DIR } from '../lab/paths.js';

interface PodFlags {
  namespace: string;
  container?: string;
  kubeletRoot: string;
}

function podOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <ns>', "the pod's namespace", 'default')
    .option('-c, --container <name>', 'the container (default: the first)')
    .option('--kubelet-root <dir>', "the lab kubelets' root", KUBELET_DIR);
}

export function registerExec(program: Command): void {
  podOptions(
    program
      .command('exec')
      .description(
        "run a command in a pod's network, UTS and cgroup: waggle exec netpod -- curl -s 10.200.1.5",
      )
      .argument('<pod>')
      .argument('<cmd...>', 'the command and its arguments (after --)'),
  )
    .option('-i, --stdin', 'pass stdin to the command')
    .option('-t, --tty', 'stdin is a terminal (with -i)')
    .action(async (pod: string, cmd: string[], f: PodFlags & { stdin?: boolean; tty?: boolean }) => {
      const code = await execInPod(
        {
          namespace: f.namespace,
          pod,
          rootBase: f.kubeletRoot,
          ...(f.container ? { container: f.container } : {}),
        },
        cmd,
        Boolean(f.stdin || f.tty),
      );
      if (code !== 0) throw new CommanderError(code, 'exec', '');
    });
  podOptions(program.command('logs').description("print a container's stdout and stderr").argument('<pod>'))
    .option('-f, --follow', 'keep printing as the container writes')
    .option('--tail <lines>', 'only the last lines (kubectl: -1, all)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < -1)
        throw new InvalidArgumentError(`--tail: "${v}" is not a line count`);
      return n;
    })
    .action(async (pod: string, f: PodFlags & { follow?: boolean; tail?: number }) => {
      await printLogs(
        {
          namespace: f.namespace,
          pod,
          rootBase: f.kubeletRoot,
          ...(f.container ? { container: f.container } : {}),
        },
        Boolean(f.follow),
        (s) => process.stdout.write(s),
        f.tail ?? -1,
      );
    });
}

// How the demo runs things: always a real tool inside a lab host, echoed with a prompt like the
// seed's (`root@jumpbox# …`) and followed by its real output.
import { sh } from '../../testing/exec.js';
import { detectCapabilities } from '../components.js';
import { WAGGLE_BIN } from '../paths.js';
import { hostByName, LAB_STORE_URL } from '../topology.js';
import { type DemoContext, StepFailed } from './step.js';

export interface Ran {
  code: number;
  out: string;
}

function show(ctx: DemoContext, prompt: string, argv: string[], out: string): void {
  ctx.say(`${prompt}# ${argv.join(' ')}`);
  const text = out.trimEnd();
  if (text) ctx.say(text.replace(/^/gm, '    '));
}

/** Runs `argv` inside lab host `host` and prints it; throws only on timeouts, never on exit codes. */
export function inHost(ctx: DemoContext, host: string, argv: string[], timeoutMs = 30_000): Ran {
  const [cmd, ...args] = argv;
  const res = sh('ip', ['netns', 'exec', hostByName(host).netns, cmd as string, ...args], {
    allowFail: true,
    timeoutMs,
  });
  const out = res.stdout + (res.stderr.trim() ? res.stderr : '');
  show(ctx, `root@${host}`, argv, out);
  return { code: res.code, out };
}

let commands: Set<string> | undefined;

/** Fails the step when this build of waggle has no such command yet; never fakes it. */
export function requireWaggle(ctx: DemoContext, command: string): void {
  commands ??= detectCapabilities().commands;
  if (!commands.has(command)) {
    throw new StepFailed(ctx.step, `\`waggle ${command}\` does not exist in this build yet`);
  }
}

/**
 * A store command (apply/get/delete) run on server, like the seed's kubectl. `quiet` runs it
 * without printing, for polls whose last answer is then shown.
 */
export function waggleOnServer(ctx: DemoContext, args: string[], opts: { quiet?: boolean } = {}): Ran {
  requireWaggle(ctx, args[0] as string);
  const argv = ['waggle', '--store', LAB_STORE_URL, ...args];
  const res = sh('ip', ['netns', 'exec', 'waggle-server', process.execPath, WAGGLE_BIN, ...argv.slice(1)], {
    allowFail: true,
  });
  const out = res.stdout + res.stderr;
  if (!opts.quiet) show(ctx, 'root@server', argv, out);
  return { code: res.code, out };
}

/**
 * A waggle command run from the host: agent API commands (the API socket is a file), `waggle exec
 * POD` and `waggle lab exec NODE` (they enter the pod's or node's namespaces and cgroup). `keep`
 * limits the printed output to its first lines, like the seed's `| head`; checks see all of it.
 */
export function waggleOnHost(ctx: DemoContext, args: string[], keep?: number): Ran {
  requireWaggle(ctx, args[0] as string);
  const res = sh(process.execPath, [WAGGLE_BIN, ...args], { allowFail: true, timeoutMs: 60_000 });
  const out = res.stdout + res.stderr;
  const lines = out.trimEnd().split('\n');
  const cut = keep !== undefined && lines.length > keep;
  const shown = cut ? (keep > 0 ? `${lines.slice(0, keep).join('\n')}\n...` : '') : out;
  show(ctx, 'root@host', ['waggle', ...args], shown);
  return { code: res.code, out };
}

/** Cells of a kubectl-style table: the value under `column` in the row whose first cell is `name`. */
export function tableCell(table: string, name: string, column: string): string | undefined {
  const lines = table.split('\n');
  const header = lines.find((l) => l.includes(column) && /^\s*(NAMESPACE|NAME)\b/.test(l));
  if (!header) return undefined;
  const at = header.indexOf(column);
  const row = lines.find((l) => l.split(/\s+/).includes(name) && l !== header);
  return row?.slice(at).trim().split(/\s+/)[0];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value, at most `timeoutMs`; prints nothing itself. */
export async function poll<T>(timeoutMs: number, probe: () => T | undefined): Promise<T | undefined> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) return undefined;
    await sleep(500);
  }
}

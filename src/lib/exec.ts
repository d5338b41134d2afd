// Running a tool (ip, tc, bpftool) from production code without blocking the event loop: the
// agent renews leases and ticks liveness on timers that a synchronous child would stall. Every
// call has a timeout that kills the child this call started (by its pid, never by name), and a
// failure is an ExecError naming the command, the exit code and the first line of stderr.
import { spawn } from 'node:child_process';
import { WaggleError } from './errors.js';

export interface RunOptions {
  timeoutMs: number;
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string;
  /** Return a non-zero exit as a result instead of throwing. Timeouts and spawn failures still throw. */
  allowFail?: boolean;
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
  /** Output kept per stream; beyond it the child is killed as runaway (default 16 MiB). */
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type ExecErrorCode = 'EEXIT' | 'ETIMEDOUT' | 'ESPAWN' | 'EOUTPUT';

export class ExecError extends WaggleError<ExecErrorCode> {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;

  constructor(
    code: ExecErrorCode,
    commandLine: string,
    message: string,
    extra: {
      exitCode?: number | null;
      signal?: string | null;
      stderr?: string;
      hint?: string | undefined;
      cause?: unknown;
    },
  ) {
    super({ code, op: 'run', object: commandLine, message, hint: extra.hint, cause: extra.cause });
    this.name = 'ExecError';
    this.exitCode = extra.exitCode ?? null;
    this.signal = extra.signal ?? null;
    this.stderr = extra.stderr ?? '';
  }
}

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;
const EXIT_GRACE_MS = 250;

/** The first non-empty line of a tool's stderr, the line that usually says what went wrong. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const commandLine = [cmd, ...args].join(' ');
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sizes = { stdout: 0, stderr: 0 };
    let failure: ExecError | undefined;
    let settled = false;

    // Cutting our ends of the pipes lets 'close' fire even when a grandchild (a shell's
    // background job) still holds them, and makes a runaway writer die of SIGPIPE.
    const cutPipes = () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const kill = (why: ExecError) => {
      failure ??= why;
      // child.kill signals child.pid: only the process this call started, never a group or name.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      cutPipes();
    };
    const timer = setTimeout(
      () =>
        kill(
          new ExecError(
            'ETIMEDOUT',
            commandLine,
            `timed out after ${opts.timeoutMs}ms (killed pid ${child.pid})`,
            {
              stderr: Buffer.concat(err).toString('utf8'),
            },
          ),
        ),
      opts.timeoutMs,
    );
    const collect = (into: Buffer[], which: 'stdout' | 'stderr') => (chunk: Buffer) => {
      sizes[which] += chunk.length;
      if (sizes[which] > max) {
        kill(new ExecError('EOUTPUT', commandLine, `${which} exceeded ${max} bytes`, {}));
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on('data', collect(out, 'stdout'));
    child.stderr?.on('data', collect(err, 'stderr'));
    if (opts.input !== undefined && child.stdin) {
      // A child that exits without reading its stdin makes the write fail with EPIPE; its exit
      // status is the answer that matters, so that error is dropped.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      // A spawn failure (no pid) settles the call; with a pid the 'close' that follows does.
      if (child.pid !== undefined) return;
      const hint = e.code === 'ENOENT' ? `is ${cmd} installed and on PATH?` : undefined;
      finish(() =>
        reject(
          new ExecError('ESPAWN', commandLine, `cannot start: ${e.code ?? e.message}`, { hint, cause: e }),
        ),
      );
    });
    // Output still in flight when the child exits arrives within moments; a pipe held open
    // longer belongs to a process the child left behind, and is not waited for.
    child.once('exit', () => setTimeout(cutPipes, EXIT_GRACE_MS).unref());
    child.once('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      finish(() => {
        if (failure) return reject(failure);
        const result = { code: code ?? -1, stdout, stderr };
        if (code === 0 || (opts.allowFail && code !== null)) return resolve(result);
        const status = code === null ? `killed by ${signal}` : `exited ${code}`;
        const line = firstLine(stderr);
        reject(
          new ExecError('EEXIT', commandLine, line ? `${status}: ${line}` : status, {
            exitCode: code,
            signal,
            stderr,
          }),
        );
      });
    });
  });
}

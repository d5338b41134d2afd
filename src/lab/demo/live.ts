// Long-running tools in a lab host whose output is read line by line while the demo goes on:
// tcpdump for the gratuitous ARP capture, arping for the failover timeline. Each is a child we
// started, stopped by its pid, bounded by a deadline.
import { type ChildProcess, spawn } from 'node:child_process';
import { hostByName } from '../topology.js';

export interface Line {
  /** ms since the process started, taken when the line arrived. */
  atMs: number;
  text: string;
}

export class LiveTool {
  readonly lines: Line[] = [];
  readonly stderr: string[] = [];
  readonly #child: ChildProcess;
  readonly #t0 = performance.now();
  readonly #exited: Promise<void>;
  #timer: NodeJS.Timeout;

  /**
   * `where` is a lab host (the tool runs in its network namespace) or a function giving the full
   * command line for `argv` (a pod's namespaces, or the host itself for `waggle monitor`).
   */
  constructor(where: string | ((argv: string[]) => string[]), argv: string[], maxMs: number) {
    // stdbuf: tools writing to a pipe buffer their output; we need each line when it happens.
    const full =
      typeof where === 'string'
        ? ['ip', 'netns', 'exec', hostByName(where).netns, 'stdbuf', '-oL', ...argv]
        : where(argv);
    this.#child = spawn(full[0] as string, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#exited = new Promise((resolve) => this.#child.on('close', () => resolve()));
    this.#timer = setTimeout(() => this.stop(), maxMs);
    this.#read(this.#child.stdout, (text) => this.lines.push({ atMs: this.elapsedMs(), text }));
    this.#read(this.#child.stderr, (text) => this.stderr.push(text));
  }

  #read(stream: NodeJS.ReadableStream | null, onLine: (l: string) => void): void {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    });
  }

  elapsedMs(): number {
    return performance.now() - this.#t0;
  }

  /** Waits until stderr or stdout shows `re` (e.g. tcpdump's "listening on"), at most `ms`. */
  async waitFor(re: RegExp, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.stderr.some((l) => re.test(l)) || this.lines.some((l) => re.test(l.text))) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /** SIGTERM to our child (tcpdump and arping print their summaries on it), then wait for exit. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await this.#exited;
    clearTimeout(killer);
  }
}

/** One `60 bytes from MAC (IP): index=N time=…` line of Habets' arping. */
export function arpingReply(text: string): { mac: string; ip: string; time: string } | undefined {
  const m = /bytes from ([0-9a-f:]{17}) \(([\d.]+)\): index=\d+ time=(.+)$/.exec(text);
  return m ? { mac: m[1] as string, ip: m[2] as string, time: m[3] as string } : undefined;
}

// curl from the jumpbox, the seed's outside client: one request (`curl 10.0.10.0`), or a loop in
// the background that counts every failed request while something else happens (the failover).
import { LiveTool } from './live.js';
import type { DemoContext } from './step.js';
import { inHost, type Ran } from './tools.js';

export const WELCOME = '<title>Welcome to nginx!</title>';

/** One `curl -s -m 3 URL` in the jumpbox (inHost prints the command and what came back). */
export function curlFromJumpbox(ctx: DemoContext, url: string): Ran {
  return inHost(ctx, 'jumpbox', ['curl', '-s', '-m', '3', url]);
}

/**
 * Requests one after another (each with a 1 s limit, 100 ms apart), at most `max` of them; one
 * output line per request: its HTTP code, 000 when it failed (no answer, refused, timed out).
 */
export class CurlLoop {
  readonly #tool: LiveTool;

  constructor(url: string, max: number) {
    const script = `for i in $(seq 1 ${max}); do curl -s -m 1 -o /dev/null -w '%{http_code}\\n' ${url}; sleep 0.1; done`;
    this.#tool = new LiveTool('jumpbox', ['sh', '-c', script], max * 1500 + 5000);
  }

  /** Requests so far: how many, how many failed, and when (ms since the loop started) each failure was. */
  counts(): { total: number; failed: number; failedAtMs: number[] } {
    const codes = this.#tool.lines.filter((l) => /^\d{3}$/.test(l.text.trim()));
    const bad = codes.filter((l) => l.text.trim() !== '200');
    return { total: codes.length, failed: bad.length, failedAtMs: bad.map((l) => l.atMs) };
  }

  elapsedMs(): number {
    return this.#tool.elapsedMs();
  }

  stop(): Promise<void> {
    return this.#tool.stop();
  }
}

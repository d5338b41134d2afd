// Watching the lab's wire from a host: tcpdump's ARP lines with the capture's own timestamps
// (-tt, epoch seconds with µs), arping at a fixed rate, and `ip -ts monitor neigh` for when the
// host's ARP cache changes. Each is a child we started (LiveTool), bounded by a deadline.
import { LiveTool } from '../../src/lab/demo/live.js';

export interface ArpPacket {
  /** Capture timestamp, epoch ms (µs precision). */
  tMs: number;
  src: string;
  dst: string;
  op: 'request' | 'reply';
  /** Request: the asked IP (who-has); reply: the announced IP (is-at). */
  ip: string;
  /** Reply: the is-at MAC; request: the sender IP (tell …). */
  what: string;
}

const LINE =
  /^(\d+\.\d+) ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype ARP \(0x0806\), length \d+: (Request who-has ([\d.]+)(?: \([^)]*\))? tell ([\d.]+)|Reply ([\d.]+) is-at ([0-9a-f:]{17}))/;

export function parseArpLine(text: string): ArpPacket | undefined {
  const m = LINE.exec(text);
  if (!m) return undefined;
  const base = { tMs: Number(m[1]) * 1000, src: m[2] as string, dst: m[3] as string };
  if (m[5] !== undefined) return { ...base, op: 'request', ip: m[5], what: m[6] as string };
  return { ...base, op: 'reply', ip: m[7] as string, what: m[8] as string };
}

/** A gratuitous ARP as waggle sends it: a broadcast reply announcing the VIP. */
export const isGarp = (p: ArpPacket) => p.op === 'reply' && p.dst === 'ff:ff:ff:ff:ff:ff';

export class ArpCapture {
  readonly tool: LiveTool;

  private constructor(tool: LiveTool) {
    this.tool = tool;
  }

  /** tcpdump on `dev` of `host`, ARP only; resolves once it is listening. */
  static async start(host: string, dev: string, maxMs: number): Promise<ArpCapture> {
    const argv = ['tcpdump', '-n', '-e', '-tt', '-l', '-i', dev, 'arp'];
    const tool = new LiveTool(host, argv, maxMs);
    if (!(await tool.waitFor(/listening on/, 10_000))) {
      await tool.stop();
      throw new Error(`tcpdump on ${host} ${dev} did not start: ${tool.stderr.join(' ')}`);
    }
    return new ArpCapture(tool);
  }

  /** Lines parsed so far (parsed once each: a long capture at 50 packets/s stays cheap to poll). */
  #parsed: ArpPacket[] = [];
  #seen = 0;

  packets(sinceMs = 0): ArpPacket[] {
    const lines = this.tool.lines;
    for (; this.#seen < lines.length; this.#seen++) {
      const p = parseArpLine((lines[this.#seen] as { text: string }).text);
      if (p) this.#parsed.push(p);
    }
    if (sinceMs <= 0) return this.#parsed;
    let lo = 0;
    let hi = this.#parsed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#parsed[mid] as ArpPacket).tMs < sinceMs) lo = mid + 1;
      else hi = mid;
    }
    return this.#parsed.slice(lo);
  }

  /** Forgets packets before `tMs` (between trials), so memory stays bounded. */
  forgetBefore(tMs: number): void {
    this.#parsed = this.packets(tMs);
    this.tool.lines.splice(0, this.#seen);
    this.#seen = 0;
  }

  /** Replies for `ip` (answers to our requests and gratuitous ones). */
  replies(ip: string, sinceMs = 0): ArpPacket[] {
    return this.packets(sinceMs).filter((p) => p.op === 'reply' && p.ip === ip);
  }

  stop(): Promise<void> {
    return this.tool.stop();
  }
}

/** arping every `intervalS` for `ip` out of `dev`, for at most `deadlineS` (Habets' -W / -w). */
export function startArping(host: string, dev: string, ip: string, intervalS: number, deadlineS: number) {
  const argv = ['arping', '-q', '-i', dev, '-W', String(intervalS), '-w', String(deadlineS), ip];
  return new LiveTool(host, argv, (deadlineS + 5) * 1000);
}

export interface NeighChange {
  tMs: number;
  ip: string;
  mac: string | undefined;
  state: string;
}

/** `[2026-11-21T05:17:46.529579] 10.9.9.9 dev eth1 lladdr 02:… STALE` (iproute2 prints local time). */
export function parseNeighLine(text: string): NeighChange | undefined {
  const m =
    /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?\] (?:Deleted )?([\d.]+) dev \S+(?: lladdr ([0-9a-f:]{17}))?\s*(.*)$/.exec(
      text,
    );
  if (!m) return undefined;
  // A date-time without an offset parses as local time, as iproute2 printed it.
  const secs = Date.parse(m[1] as string) / 1000 + Number(m[2] ?? 0);
  return { tMs: secs * 1000, ip: m[3] as string, mac: m[4], state: (m[5] ?? '').trim() };
}

export function startNeighMonitor(host: string, maxMs: number): LiveTool {
  return new LiveTool(host, ['ip', '-ts', 'monitor', 'neigh'], maxMs);
}

// waggle-cni's entry point: what a container runtime executes (found in CNI_PATH by the network
// config's `type`). It imports only node: builtins and the agent protocol's types, so starting it
// for every pod costs little more than starting node.
import { appendFileSync, readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { CniCode } from '../api/cni-protocol.js';
import { type PluginOutcome, runPlugin } from './plugin.js';
import { LATEST_VERSION } from './versions.js';

async function readStdin(): Promise<string> {
  // Not `process.stdin.isTTY`: touching process.stdin wraps fd 0 in a non-blocking stream that
  // may race the synchronous read below for the config (seen with 50 plugins started at once:
  // most read an empty stdin).
  if (isatty(0)) return '';
  try {
    return readFileSync(0, 'utf8');
  } catch (err) {
    // A non-blocking stdin (inherited from a parent that set O_NONBLOCK) cannot be read in one
    // synchronous call; read it as a stream instead.
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    let text = '';
    process.stdin.setEncoding('utf8');
    for await (const chunk of process.stdin) text += chunk;
    return text;
  }
}

/** One line per call: when, what, for which attachment, how it ended, how long it took. */
function logLine(env: NodeJS.ProcessEnv, o: PluginOutcome, ms: number): string {
  const who = env.CNI_CONTAINERID ? ` container=${env.CNI_CONTAINERID} ifname=${env.CNI_IFNAME ?? ''}` : '';
  const how = o.exitCode === 0 ? 'ok' : `error code=${o.code} msg=${JSON.stringify(o.msg)}`;
  return `${new Date().toISOString()} waggle-cni ${o.command || '(no CNI_COMMAND)'}${who} ${how} ${ms}ms\n`;
}

const started = performance.now();
let stdin = '';
let outcome: PluginOutcome;
try {
  stdin = await readStdin();
  outcome = await runPlugin(process.env, stdin);
} catch (err) {
  const msg = `stdin: ${(err as Error).message}`;
  const stdout = `${JSON.stringify({ cniVersion: LATEST_VERSION, code: CniCode.IoFailure, msg })}\n`;
  outcome = { stdout, exitCode: 1, command: process.env.CNI_COMMAND ?? '', debug: false };
}
process.stdout.write(outcome.stdout);
const line = logLine(process.env, outcome, Math.round(performance.now() - started));
if (outcome.debug) process.stderr.write(line);
if (outcome.logFile) {
  try {
    appendFileSync(outcome.logFile, line);
  } catch (err) {
    // A log that cannot be written must not fail the pod's networking; say so where the runtime looks.
    process.stderr.write(`waggle-cni: log-file ${outcome.logFile}: ${(err as Error).message}\n`);
  }
}
process.exitCode = outcome.exitCode;

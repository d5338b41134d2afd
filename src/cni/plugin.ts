// One plugin invocation: environment and stdin in, the text for stdout and the exit code out
// (CNI spec section 2). Every failure is a CNI error object on stdout with exit code 1.
import type {
  EndpointAddReply,
  EndpointAddRequest,
  EndpointCheckRequest,
  EndpointGcRequest,
} from '../api/cni-protocol.js';
import { attachmentId, CniCode } from '../api/cni-protocol.js';
import type { AgentReply } from './agent-client.js';
import { type CniEnv, parseCommand, parseEnv } from './env.js';
import { CniError, errorObject, invalidConfig } from './errors.js';
import { decodeConfig, type NetConf, parseNetConf, prevResultAddresses } from './netconf.js';
import { addResult } from './result.js';
import { isSupported, LATEST_VERSION, requireCommandVersion, SUPPORTED_VERSIONS } from './versions.js';

export interface PluginOutcome {
  stdout: string;
  exitCode: number;
  /** What main.ts needs for its log line, known as far as the input could be read. */
  command: string;
  logFile?: string;
  debug: boolean;
  code?: number;
  msg?: string;
}

/**
 * How the plugin reaches the agent: over its socket (agent-client.ts, the default), or — when
 * the agent itself runs the plugin for the native launcher (POST /v1/cni) — in process.
 */
export interface AgentTransport {
  resolveSocket(configured: string | undefined, dir?: string, absentCode?: number): string;
  agentCall(socket: string, method: string, path: string, body?: unknown): Promise<unknown>;
  callAgent(
    socket: string,
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<AgentReply>;
  PROBE_TIMEOUT_MS: number;
}

export async function runPlugin(
  env: NodeJS.ProcessEnv,
  stdin: string,
  transport?: AgentTransport,
): Promise<PluginOutcome> {
  const out: PluginOutcome = { stdout: '', exitCode: 0, command: env.CNI_COMMAND ?? '', debug: false };
  let version: string = LATEST_VERSION;
  try {
    // Where to log is read before anything can fail, so a rejected call is logged too.
    const peek = peekConfig(stdin);
    if (typeof peek['log-file'] === 'string' && peek['log-file'].startsWith('/'))
      out.logFile = peek['log-file'];
    out.debug = peek['enable-debug'] === true;
    if (isSupported(peek.cniVersion)) version = peek.cniVersion;
    const command = parseCommand(env);
    if (command === 'VERSION') {
      // A person trying the binary by hand may give no stdin; a runtime always sends {cniVersion}.
      const raw = stdin.trim() === '' ? {} : decodeConfig(stdin);
      const asked = typeof raw.cniVersion === 'string' ? raw.cniVersion : LATEST_VERSION;
      out.stdout = json({ cniVersion: asked, supportedVersions: SUPPORTED_VERSIONS });
      return out;
    }
    const conf = parseNetConf(decodeConfig(stdin));
    requireCommandVersion(command, conf.cniVersion);
    const cniEnv = parseEnv(command, env);
    const result = await COMMANDS[command](conf, cniEnv, () =>
      transport ? Promise.resolve(transport) : socketTransport(),
    );
    if (result !== undefined) out.stdout = json(result);
  } catch (err) {
    const e = errorObject(err, version);
    out.stdout = json(e);
    out.exitCode = 1;
    out.code = e.code;
    out.msg = e.msg;
  }
  return out;
}

/** The config as far as it is a JSON object, for logging and the error's cniVersion; never throws. */
function peekConfig(stdin: string): Record<string, unknown> {
  try {
    const raw: unknown = JSON.parse(stdin);
    return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const json = (v: unknown) => `${JSON.stringify(v)}\n`;

// Loaded only by the commands that talk to the agent: VERSION, the call a runtime makes most
// often, then never loads node:http.
const socketTransport = (): Promise<AgentTransport> => import('./agent-client.js');

type Command = (conf: NetConf, env: CniEnv, agent: () => Promise<AgentTransport>) => Promise<unknown>;

const COMMANDS: Record<Exclude<CniEnv['command'], 'VERSION'>, Command> = {
  async ADD(conf, env, agent) {
    if (conf.prevResult)
      throw invalidConfig(
        'prevResult',
        'given on ADD, but waggle-cni creates the pod interface and must be the first plugin of the list',
      );
    const req: EndpointAddRequest = { containerId: env.containerId, ifname: env.ifname, netns: env.netns };
    const ns = env.args.K8S_POD_NAMESPACE;
    const pod = env.args.K8S_POD_NAME;
    if (ns) req.podNamespace = ns;
    if (pod) req.podName = pod;
    if (Object.keys(conf.labels).length > 0) req.labels = conf.labels;
    if (conf.mtu !== undefined) req.mtu = conf.mtu;
    const { agentCall, resolveSocket } = await agent();
    const socket = resolveSocket(conf.socketPath);
    const reply = checkAddReply(await agentCall(socket, 'PUT', '/v1/endpoints', req), socket);
    return addResult(reply, conf.cniVersion);
  },

  // DEL is best effort: the agent answers success for an endpoint it does not know, and the netns
  // may be gone. An unreachable agent is code 11 so the runtime retries the DEL later; Cilium
  // instead queues the deletion on disk for the agent to replay when it starts. A retried DEL
  // keeps the cleanup with the runtime, which already owns retrying (the spec requires it to DEL
  // after every ADD), and avoids a second queue the agent must read.
  async DEL(conf, env, agent) {
    const q = new URLSearchParams({ containerId: env.containerId, ifname: env.ifname });
    const { agentCall, resolveSocket } = await agent();
    await agentCall(resolveSocket(conf.socketPath), 'DELETE', `/v1/endpoints?${q}`);
    return undefined;
  },

  async CHECK(conf, env, agent) {
    if (!conf.prevResult) throw invalidConfig('prevResult', 'missing (CHECK needs the result of the ADD)');
    const req: EndpointCheckRequest = {
      containerId: env.containerId,
      ifname: env.ifname,
      netns: env.netns,
      addresses: prevResultAddresses(conf.prevResult),
    };
    const { agentCall, resolveSocket } = await agent();
    const socket = resolveSocket(conf.socketPath);
    const reply = (await agentCall(socket, 'POST', '/v1/endpoints/check', req)) as { problems?: unknown };
    const problems = reply?.problems;
    if (!Array.isArray(problems) || !problems.every((p) => typeof p === 'string'))
      throw new CniError(
        CniCode.DecodeFailure,
        `agent API ${socket}: check reply: problems: not a list of strings`,
      );
    if (problems.length > 0)
      throw new CniError(
        CniCode.EndpointFailed,
        `endpoint ${attachmentId(env.containerId, env.ifname)}: ${problems.join('; ')}`,
      );
    return undefined;
  },

  // STATUS (CNI 1.1): "not available" (50) whenever the agent cannot take an ADD right now.
  async STATUS(conf, _env, agent) {
    const { callAgent, PROBE_TIMEOUT_MS, resolveSocket } = await agent();
    let reply: AgentReply;
    const socket = resolveSocket(conf.socketPath, undefined, CniCode.PluginNotAvailable);
    try {
      reply = await callAgent(socket, 'GET', '/v1/healthz', undefined, PROBE_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof CniError && err.code === CniCode.TryAgainLater)
        throw new CniError(CniCode.PluginNotAvailable, err.message, err.details);
      throw err;
    }
    const body = reply.body as { ok?: unknown; error?: unknown; code?: unknown } | undefined;
    if (reply.status === 200 && body?.ok === true) return undefined;
    const why = typeof body?.error === 'string' ? body.error : `HTTP ${reply.status}, ok is not true`;
    const code = body?.code === CniCode.PluginNotAvailableLimited ? body.code : CniCode.PluginNotAvailable;
    throw new CniError(code, `agent API ${socket}: GET /v1/healthz: ${why}`);
  },

  async GC(conf, _env, agent) {
    if (!conf.validAttachments) throw invalidConfig('cni.dev/valid-attachments', 'missing');
    const req: EndpointGcRequest = { valid: conf.validAttachments };
    const { agentCall, resolveSocket } = await agent();
    await agentCall(resolveSocket(conf.socketPath), 'POST', '/v1/endpoints/gc', req);
    return undefined;
  },
};

const ADD_REPLY_STRINGS = [
  'ipv4',
  'gateway',
  'hostIfname',
  'hostMac',
  'containerIfname',
  'containerMac',
  'netns',
];

/** The agent's ADD reply has what the result needs; a field missing is named. */
function checkAddReply(body: unknown, socket: string): EndpointAddReply {
  const b = (body ?? {}) as Record<string, unknown>;
  for (const f of ADD_REPLY_STRINGS)
    if (typeof b[f] !== 'string' || b[f] === '')
      throw new CniError(
        CniCode.DecodeFailure,
        `agent API ${socket}: PUT /v1/endpoints reply: ${f}: missing`,
      );
  if (typeof b.mtu !== 'number')
    throw new CniError(CniCode.DecodeFailure, `agent API ${socket}: PUT /v1/endpoints reply: mtu: missing`);
  return b as unknown as EndpointAddReply;
}

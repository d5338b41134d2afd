// pod-to-external's far end: a whoami server on the jumpbox (outside the cluster), run only for
// the duration of the test. whoami prints the peer address it saw, which shows masquerading:
// a pod's packet leaves the native routing CIDR 10.200.0.0/22 with its node's address.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { curlFromPod, type Env, type Outcome } from './actions.js';
import type { Role } from './deploy.js';
import { inHost } from './shell.js';

const WHOAMI = fileURLToPath(new URL('../kubelet/images/whoami.js', import.meta.url));
export const JUMPBOX_IP = '192.168.56.10';
const PORT = 8080;

export interface External {
  url: string;
  /** Why the responder could not be started, if it could not. */
  error?: string;
  stop(): void;
}

export async function startExternal(): Promise<External> {
  const url = `http://${JUMPBOX_IP}:${PORT}/`;
  let child: ChildProcess | undefined = spawn(
    'ip',
    [
      'netns',
      'exec',
      'waggle-jumpbox',
      process.execPath,
      WHOAMI,
      '--port',
      String(PORT),
      '--name',
      'jumpbox',
    ],
    { stdio: 'ignore' },
  );
  const stop = () => {
    // Only the process started here, by its pid (ip netns exec execs node in place).
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  };
  for (let i = 0; i < 40; i++) {
    const r = await inHost('jumpbox', ['curl', '-s', '-m', '1', url], 3000);
    if (r.code === 0 && /^Name: jumpbox$/m.test(r.stdout)) return { url, stop };
    if (!child || child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 125));
  }
  stop();
  return { url, error: `the responder on the jumpbox (${url}) did not answer within 5 s`, stop };
}

export function externalCheck(env: Env, role: Role, ext: External, nodeIp: string): Promise<Outcome> {
  if (ext.error) return Promise.resolve({ ok: false, shown: '', detail: ext.error });
  const seen = new RegExp(`^RemoteAddr: ${nodeIp.replaceAll('.', '\\.')}:\\d+$`, 'm');
  return curlFromPod(env, role, ext.url, seen);
}

// What test/e2e/lab-ingress.test.ts does in the lab: apply objects with the lab's CLI, curl and
// wrk from the jumpbox's namespace, self-signed certificates from openssl, and each agent's
// ingress status (the HAProxy config generation tells that a reload happened).
import assert from 'node:assert/strict';
import { fetchStatus } from '../../src/agent/api-client.js';
import { agentSocket } from '../../src/lab/paths.js';
import { sh } from '../../src/testing/exec.js';
import { type SelfSignedCert, selfSignedCert } from '../../src/testing/self-signed.js';
import { runWrk, type WrkRun } from '../../src/testing/wrk.js';
import { waggle } from './lab-helpers.js';

export const AGENTS = ['server', 'node-0', 'node-1'] as const;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function apply(objs: unknown[]): void {
  const r = sh(process.execPath, ['bin/waggle.js', 'apply', '-f', '-'], {
    input: objs.map((o) => JSON.stringify(o)).join('\n---\n'),
    allowFail: true,
  });
  assert.equal(r.code, 0, r.stderr);
}

export function jumpbox(argv: string[], timeoutMs = 10_000) {
  return sh('ip', ['netns', 'exec', 'waggle-jumpbox', ...argv], { allowFail: true, timeoutMs });
}

/** curl from the jumpbox: the status code ('000' when no answer) and the body. */
export function curl(url: string, extra: string[] = []): { code: string; body: string } {
  const out = jumpbox(['curl', '-s', '-m', '3', '-w', '\n%{http_code}', ...extra, url]).stdout;
  const i = out.lastIndexOf('\n');
  return { body: out.slice(0, i), code: out.slice(i + 1) || '000' };
}

/** Polls until `probe` returns a value (at most `ms`); fails naming `what`. */
export async function until<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) {
    const v = probe();
    if (v !== undefined) return v;
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}

/** wrk from the jumpbox, keep-alive connections, with its report parsed. */
export function wrk(url: string, seconds: number, connections = 8): Promise<WrkRun> {
  return runWrk(['ip', 'netns', 'exec', 'waggle-jumpbox'], url, {
    seconds,
    connections,
    newConnections: false,
  });
}

export type Cert = SelfSignedCert;
export const selfSigned = selfSignedCert;

export function tlsSecret(name: string, crt: string, key: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'kubernetes.io/tls',
    stringData: { 'tls.crt': crt, 'tls.key': key },
  };
}

export interface IngressJson {
  metadata: { name: string };
  status?: {
    loadBalancer?: { ingress?: Array<{ ip?: string }> };
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

export function getJson<T>(args: string[]): T | undefined {
  const r = waggle(['get', ...args, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
}

export const addressOf = (name: string, ns = 'default') =>
  getJson<IngressJson>(['ingress', name, '-n', ns])?.status?.loadBalancer?.ingress?.[0]?.ip;

export const acceptedOf = (name: string) =>
  getJson<IngressJson>(['ingress', name])?.status?.conditions?.find((c) => c.type === 'Accepted');

/** Each agent's HAProxy config generation (reloads so far). */
export async function generations(): Promise<number[]> {
  return Promise.all(
    AGENTS.map(async (n) => {
      const s = (await fetchStatus(agentSocket(n))).ingress;
      return s?.enabled ? s.generation : -1;
    }),
  );
}

/** Ingress status problems the agents report (rejected configs), by node. */
export async function proxyErrors(): Promise<string[]> {
  const out: string[] = [];
  for (const n of AGENTS) {
    const s = (await fetchStatus(agentSocket(n))).ingress;
    if (s?.enabled && s.lastError) out.push(`${n}: ${s.lastError}`);
  }
  return out;
}

export function ingress(
  name: string,
  spec: Record<string, unknown>,
  annotations: Record<string, string> = {},
) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', annotations },
    spec: { ingressClassName: 'cilium', ...spec },
  };
}

export const prefix = (path: string, service: string) => ({
  path,
  pathType: 'Prefix',
  backend: { service: { name: service, port: { number: 80 } } },
});

export const WHO = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'who', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'who' } },
      template: {
        metadata: { labels: { app: 'who' } },
        spec: {
          containers: [
            { name: 'who', image: 'traefik/whoami', ports: [{ name: 'http', containerPort: 80 }] },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'who', namespace: 'default' },
    spec: { selector: { app: 'who' }, ports: [{ port: 80, targetPort: 'http' }] },
  },
];

// The Ingress line of `waggle status`.
import type { IngressStatus } from './module.js';

export function ingressLine(s: IngressStatus): string {
  if (!s.enabled) return 'Ingress:                Disabled';
  const pid = s.pid === null ? 'not running' : `haproxy pid ${s.pid}`;
  const parts = [
    pid,
    `config generation ${s.generation}`,
    `${s.routes} routes`,
    `${s.certificates} certificates`,
  ];
  if (s.restarts > 0) parts.push(`${s.restarts} restarts`);
  if (s.skipped.length > 0) parts.push(`${s.skipped.length} Ingresses not served`);
  if (s.lastError) parts.push(`last error: ${s.lastError}`);
  return `Ingress:                ${parts.join(', ')}`;
}

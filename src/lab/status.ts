// `waggle lab status`: the topology check, every component's state and where its log is.
import { existsSync, readFileSync } from 'node:fs';
import { isMounted } from './bpffs.js';
import { loadComponents } from './components.js';
import { topologyProblems } from './network.js';
import { agentSocket, BPFFS_DIR, STORE_URL_FILE } from './paths.js';
import { isStopped } from './procs.js';
import { logFile, runningPid } from './supervisor.js';
import { supervisorPid } from './up.js';

export interface ComponentStatus {
  id: string;
  state: 'running' | 'stopped' | 'down';
  pid?: number;
  log: string;
}

export function componentStatuses(): ComponentStatus[] {
  return loadComponents().map((c) => {
    const pid = runningPid(c);
    const state = pid !== undefined ? 'running' : isStopped(c.id) ? 'stopped' : 'down';
    return { id: c.id, state, ...(pid !== undefined ? { pid } : {}), log: logFile(c) };
  });
}

export function labStatus(say: (s: string) => void): boolean {
  const problems = topologyProblems();
  say(`topology:   ${problems.length === 0 ? 'ok (4 hosts, br-eth0, br-eth1)' : problems.join('; ')}`);
  say(`bpffs:      ${isMounted(BPFFS_DIR) ? BPFFS_DIR : 'not mounted'}`);
  say(`store:      ${existsSync(STORE_URL_FILE) ? readFileSync(STORE_URL_FILE, 'utf8').trim() : 'none'}`);
  const sup = supervisorPid();
  say(`supervisor: ${sup !== undefined ? `running, pid ${sup}` : 'not running'}`);
  const statuses = componentStatuses();
  const width = Math.max(16, ...statuses.map((s) => s.id.length));
  for (const s of statuses) {
    const host = s.id.replace(/^(agent|operator|etcd)-/, '');
    const api = s.id.startsWith('agent-') ? `  api ${agentSocket(host)}` : '';
    say(`  ${s.id.padEnd(width)} ${s.state.padEnd(8)} ${s.pid !== undefined ? `pid ${s.pid}` : ''}${api}`);
  }
  return problems.length === 0 && sup !== undefined && statuses.every((s) => s.state !== 'down');
}

// Listing everything the lab could leave behind, for the teardown assertions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cgroup2Mount, LAB_CGROUP } from '../../src/lab/kubelet/cgroup.js';
import { sh } from '../../src/testing/exec.js';

export const LAB_NETNS = ['waggle-lab', 'waggle-jumpbox', 'waggle-server', 'waggle-node-0', 'waggle-node-1'];

export function waggle(args: string[], timeoutMs = 120_000) {
  return sh(process.execPath, ['bin/waggle.js', ...args], { allowFail: true, timeoutMs });
}

export function labNetns(): string[] {
  const out = sh('ip', ['-j', 'netns', 'list'], { allowFail: true }).stdout.trim();
  const names = out ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name) : [];
  return names.filter((n) => LAB_NETNS.includes(n));
}

/** Links in the host's own namespace with a lab name: bridges and veths. */
export function hostLabLinks(): string[] {
  const links = JSON.parse(sh('ip', ['-j', 'link', 'show']).stdout) as Array<{ ifname: string }>;
  return links
    .map((l) => l.ifname)
    .filter((n) => /^br-eth[01]$|^(jumpbox|server|node-[01])-eth[01]$/.test(n));
}

/** Processes whose command line names the lab's state dir or netns (etcd, agents, supervisor). */
export function labProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (/\/run\/waggle\/lab|lab supervise|waggle-(server|node-[01]|jumpbox|lab)\b/.test(cmd))
        found.push(`${pid}: ${cmd}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export function labMounts(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes('/run/waggle/lab'));
}

/** Everything a torn-down lab must not leave; empty means clean. */
export function leftovers(): string[] {
  let state: string[] = [];
  try {
    state = readdirSync('/run/waggle/lab').map((f) => `/run/waggle/lab/${f}`);
  } catch {
    // gone, as it should be
  }
  const sockets = ['server', 'node-0', 'node-1']
    .map((n) => `/run/waggle/${n}/agent.sock`)
    .filter((f) => existsSync(f));
  // The nodes' cgroup subtree (pods and `lab exec` processes live there while the lab runs).
  const cgroup = `${cgroup2Mount()}/${LAB_CGROUP}`;
  return [
    ...(existsSync(cgroup) ? [`cgroup ${cgroup}`] : []),
    ...labNetns().map((n) => `netns ${n}`),
    ...sockets.map((f) => `socket ${f}`),
    ...hostLabLinks().map((l) => `link ${l}`),
    ...labProcesses().map((p) => `process ${p}`),
    ...labMounts().map((m) => `mount ${m}`),
    ...state.map((f) => `file ${f}`),
  ];
}

export function nsLinks(ns: string) {
  return JSON.parse(sh('ip', ['-n', ns, '-j', 'addr', 'show']).stdout) as Array<{
    ifname: string;
    address: string;
    master?: string;
    addr_info: Array<{ family: string; local: string; prefixlen: number }>;
  }>;
}

// `lab up`'s part for the kubelets, done before any agent starts: the kubelet root becomes a
// shared mount (kubelet/mounts.ts says why the order matters), and each node gets the plugin and
// conflist of `waggle cni install`, pointing at that node's agent socket.
import { installCni } from '../../cni/install.js';
import type { Component } from '../components.js';
import { agentSocket, cniBinDir, cniConfDir, KUBELET_DIR } from '../paths.js';
import { ensureSharedMount } from './mounts.js';

export function prepareKubelets(components: Component[], say: (s: string) => void): void {
  const kubelets = components.filter((c) => c.component === 'kubelet');
  if (kubelets.length === 0) return;
  if (ensureSharedMount(KUBELET_DIR)) say(`kubelet root ${KUBELET_DIR}: a shared mount`);
  for (const k of kubelets) {
    installCni({
      cniBinDir: cniBinDir(k.host),
      cniConfDir: cniConfDir(k.host),
      socketPath: agentSocket(k.host),
      name: 'waggle',
      conflistName: '05-waggle.conflist',
      chain: [],
    });
  }
  say(`cni: waggle-cni and 05-waggle.conflist for ${kubelets.map((k) => k.host).join(', ')}`);
}

// Seed 001's beginning ("Деплой Nginx"): the nginx Deployment and Service, the pod on a worker
// with an address from that worker's PodCIDR, and nginx reached from `server` by ClusterIP
// (socket LB in server's cgroup) and by pod IP.
import { join } from 'node:path';
import { WELCOME } from './curl-jumpbox.js';
import { clusterIp, inCidr, podCidr, waitForPods } from './pods.js';
import { EXAMPLES } from './steps-story.js';
import { check, fact, type Step } from './step.js';
import { waggleOnHost, waggleOnServer } from './tools.js';

const deploy: Step = {
  name: 'nginx: the Deployment and the Service',
  async run(ctx) {
    for (const f of ['nginx-deployment.yaml', 'nginx-service.yaml']) {
      check(ctx, waggleOnServer(ctx, ['apply', '-f', join(EXAMPLES, f)]).code === 0, `${f} applied`);
    }
    const rows = await waitForPods(ctx, (all) => {
      const nginx = all.filter((r) => r.name.startsWith('nginx-'));
      return nginx.length === 1 ? nginx : undefined;
    });
    const pod = rows[0];
    check(
      ctx,
      pod?.node === 'node-0' || pod?.node === 'node-1',
      `the nginx pod runs on a worker (${pod?.node})`,
    );
    const cidr = podCidr(ctx, pod.node);
    check(ctx, inCidr(pod.ip, cidr), `its address ${pod.ip} is from ${pod.node}'s PodCIDR ${cidr}`);
    ctx.facts.set('nginxPodIp', pod.ip);
    const ip = clusterIp(ctx, 'nginx');
    check(ctx, ip !== undefined, `service nginx has a ClusterIP (${ip})`);
    ctx.facts.set('nginxClusterIp', ip);
  },
};

const curl: Step = {
  name: 'curl the ClusterIP and the pod IP from server: "Welcome to nginx!"',
  async run(ctx) {
    for (const [what, ip] of [
      ['ClusterIP', fact(ctx, 'nginxClusterIp')],
      ['pod IP', fact(ctx, 'nginxPodIp')],
    ] as const) {
      const t0 = performance.now();
      const res = waggleOnHost(ctx, ['lab', 'exec', 'server', '--', 'curl', '-s', '-m', '5', ip], 4);
      const ms = Math.round(performance.now() - t0);
      check(
        ctx,
        res.code === 0 && res.out.includes(WELCOME),
        `curl ${ip} (${what}) from server: Welcome to nginx!`,
      );
      ctx.figures.push({ name: `curl nginx by ${what} from server (with lab exec)`, value: `${ms} ms` });
    }
  },
};

export const nginxSteps: Step[] = [deploy, curl];

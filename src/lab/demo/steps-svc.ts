// Seed 004's "pod > pod" through the ClusterIP `svc`: a curl loop from netpod answered by both
// webpods, tcpdump inside netpod seeing only backend addresses (socket LB translated the
// ClusterIP at connect(), before a packet existed), and the agent's service and LB tables.
import { join } from 'node:path';
import { LiveTool } from './live.js';
import { clusterIp, inPodArgv } from './pods.js';
import { EXAMPLES } from './steps-story.js';
import { check, fact, type Step } from './step.js';
import { poll, waggleOnHost, waggleOnServer } from './tools.js';

const LOOP = 12;

const svc: Step = {
  name: 'the ClusterIP svc: a curl loop from netpod reaches webpod1 and webpod2',
  async run(ctx) {
    const made = waggleOnServer(ctx, ['create', '-f', join(EXAMPLES, 'svc.yaml')]);
    check(ctx, made.code === 0 && /service\/svc created/.test(made.out), 'service/svc created');
    const ip = clusterIp(ctx, 'svc');
    check(ctx, ip !== undefined, `svc has a ClusterIP (${ip})`);
    ctx.facts.set('svcIp', ip);
    const loop = `for i in $(seq ${LOOP}); do curl -s -m 2 ${ip} | grep Hostname; echo -----; done`;
    // The service's backends reach the agent's maps through the store; the first curl may race it.
    const answered = await poll(15_000, () => {
      const one = waggleOnHost(ctx, ['exec', 'netpod', '--', 'curl', '-s', '-m', '2', ip], 1);
      return one.code === 0 ? true : undefined;
    });
    check(ctx, answered === true, `curl ${ip} from netpod is answered`);
    const res = waggleOnHost(ctx, ['exec', 'netpod', '--', 'sh', '-c', loop]);
    const w1 = res.out.match(/^Hostname: webpod1$/gm)?.length ?? 0;
    const w2 = res.out.match(/^Hostname: webpod2$/gm)?.length ?? 0;
    check(ctx, w1 + w2 === LOOP, `every one of ${LOOP} curls answered by a webpod`);
    check(ctx, w1 > 0 && w2 > 0, `both backends answered: webpod1 ${w1}, webpod2 ${w2}`);
    ctx.figures.push({
      name: `curl loop netpod → svc (${LOOP} requests)`,
      value: `webpod1 ${w1}, webpod2 ${w2}`,
    });
  },
};

const tcpdump: Step = {
  name: 'tcpdump inside netpod: only backend addresses, never the ClusterIP',
  async run(ctx) {
    const ip = fact(ctx, 'svcIp');
    const backends = [fact(ctx, 'webpod1Ip'), fact(ctx, 'webpod2Ip')];
    const argv = ['tcpdump', '-enni', 'any', '-q', '-l', 'tcp', 'port', '80'];
    const capture = new LiveTool(inPodArgv('netpod'), argv, 30_000);
    try {
      check(ctx, await capture.waitFor(/listening on/, 10_000), 'tcpdump is capturing in netpod');
      for (let i = 0; i < 2; i++) waggleOnHost(ctx, ['exec', 'netpod', '--', 'curl', '-s', '-m', '2', ip], 1);
      await poll(3000, () => (capture.lines.length >= 6 ? true : undefined));
    } finally {
      await capture.stop();
    }
    ctx.say(`root@host# waggle exec netpod -- ${argv.join(' ')}   (during the two curls)`);
    for (const l of [...capture.stderr, ...capture.lines.map((x) => x.text)]) ctx.say(`    ${l}`);
    const text = capture.lines.map((l) => l.text).join('\n');
    const seen = backends.filter((b) => text.includes(`> ${b}.80:`));
    check(ctx, seen.length > 0, `packets go to a backend's address (${seen.join(', ')})`);
    check(
      ctx,
      !text.includes(ip),
      `no packet carries the ClusterIP ${ip}: socket LB translated it at connect()`,
    );
  },
};

const tables: Step = {
  name: "the agent's tables: waggle service list, waggle bpf lb list",
  async run(ctx) {
    const ip = fact(ctx, 'svcIp');
    const backends = [fact(ctx, 'webpod1Ip'), fact(ctx, 'webpod2Ip')];
    const list = waggleOnHost(ctx, ['service', 'list', '--node', 'server']).out;
    const fe = `${ip}:80/TCP`.replace(/\./g, '\\.');
    check(
      ctx,
      new RegExp(`^\\d+ +${fe} +ClusterIP +\\d => `, 'm').test(list),
      `svc's frontend ${ip}:80 is listed`,
    );
    for (const b of backends) check(ctx, list.includes(`=> ${b}:80/TCP (active)`), `backend ${b}:80 active`);
    const lb = waggleOnHost(ctx, ['bpf', 'lb', 'list', '--node', 'server']).out;
    check(
      ctx,
      new RegExp(
        `^${fe} \\(0\\) +0\\.0\\.0\\.0:0 \\(\\d+\\) \\(0\\) \\[ClusterIP, non-routable\\]`,
        'm',
      ).test(lb),
      `the master entry ${ip}:80 (0) with the backend count`,
    );
    for (const b of backends) {
      check(
        ctx,
        new RegExp(`^${fe} \\([12]\\) +${b.replace(/\./g, '\\.')}:80/TCP`, 'm').test(lb),
        `slot for ${b}:80`,
      );
    }
  },
};

export const seed004SvcSteps: Step[] = [svc, tcpdump, tables];

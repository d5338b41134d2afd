// Throughput through a Service against straight to its pod (issue #18: "throughput through the
// service ≥ 0.98× base"), in the lab: an iperf3 server pod on node-1 behind a ClusterIP, an
// iperf3 client pod on node-0 (images: nicolaka/netshoot, the host's iperf3). Per round, the
// client sends for --seconds to the pod's IP (base) and to the ClusterIP, interleaved. Two labs:
// the agents' default (socket LB: connect() is translated once, the packets are the base's) and
// --bpf-lb-sock=false (every packet of the flow translated in from_container and back).
//   node dist/bench/service-throughput.js [--rounds 7] [--seconds 5]
import { shAsync } from '../src/testing/exec.js';
import { applyText, freshLab, resetLab, sleep, until, waggle } from './lib/lab.js';
import { numberFlag, printTable, runBench, writeResult } from './lib/report.js';

const ROUNDS = numberFlag('--rounds', 7);
const SECONDS = numberFlag('--seconds', 5);

const pod = (name: string, node: string, command: string[]) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: nicolaka/netshoot
    command: ${JSON.stringify(command)}
    ports:
    - containerPort: 5201
`;

const MANIFESTS = [
  pod('iperf-server', 'node-1', ['iperf3', '-s']),
  pod('iperf-client', 'node-0', ['sleep', 'infinity']),
  `apiVersion: v1
kind: Service
metadata:
  name: iperf
spec:
  selector:
    app: iperf-server
  ports:
  - port: 5201
    targetPort: 5201
`,
].join('---\n');

interface Phase {
  datapath: string;
  base: number[];
  service: number[];
}

/** One iperf3 run from the client pod; Gbit/s received. */
async function iperf(ip: string): Promise<number> {
  const r = await shAsync(
    process.execPath,
    ['bin/waggle.js', 'exec', 'iperf-client', '--', 'iperf3', '-c', ip, '-t', String(SECONDS), '-J'],
    (SECONDS + 30) * 1000,
  );
  const bps = (JSON.parse(r.stdout || '{}') as { end?: { sum_received?: { bits_per_second?: number } } }).end
    ?.sum_received?.bits_per_second;
  if (r.code !== 0 || !bps)
    throw new Error(`iperf3 -c ${ip}: exit ${r.code}: ${r.stderr || r.stdout.slice(0, 400)}`);
  return bps / 1e9;
}

async function phase(datapath: string, agentFlags: string): Promise<Phase> {
  await freshLab(agentFlags);
  try {
    applyText(MANIFESTS);
    const podIP = await until(
      90_000,
      () => {
        const p = JSON.parse(waggle(['get', 'pod', 'iperf-server', '-o', 'json']).stdout || '{}');
        const c = JSON.parse(waggle(['get', 'pod', 'iperf-client', '-o', 'json']).stdout || '{}');
        return p.status?.phase === 'Running' && c.status?.phase === 'Running'
          ? (p.status?.podIP as string | undefined)
          : undefined;
      },
      500,
    );
    if (!podIP) throw new Error('the iperf pods are not running');
    const clusterIP = JSON.parse(waggle(['get', 'svc', 'iperf', '-o', 'json']).stdout).spec
      .clusterIP as string;
    await sleep(2000); // the server listening, the service rows written
    const out: Phase = { datapath, base: [], service: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternating which goes first, so a drift in the machine's speed hits both alike.
      const order = r % 2 === 0 ? (['base', 'service'] as const) : (['service', 'base'] as const);
      for (const which of order) out[which].push(await iperf(which === 'base' ? podIP : clusterIP));
    }
    return out;
  } finally {
    await resetLab();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const phases = [
    await phase('socket LB (default)', ''),
    await phase('per-packet LB (--bpf-lb-sock=false)', '--bpf-lb-sock=false'),
  ];
  printTable(`iperf3 pod on node-0 → pod on node-1, ${SECONDS} s × ${ROUNDS} rounds (median Gbit/s)`, [
    ['datapath', 'to the pod IP (base)', 'to the ClusterIP', 'service / base'],
    ...phases.map((p) => [
      p.datapath,
      median(p.base).toFixed(2),
      median(p.service).toFixed(2),
      (median(p.service) / median(p.base)).toFixed(3),
    ]),
  ]);
  writeResult('service-throughput', {
    rounds: ROUNDS,
    seconds: SECONDS,
    phases: phases.map((p) => ({ ...p, ratio: median(p.service) / median(p.base) })),
  });
}

runBench('service-throughput', main);

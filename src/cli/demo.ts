// `waggle datapath demo`: the L2 announcement datapath on its own, end to end, in two network
// namespaces it creates and removes: load bpf_host.o (maps pinned in a private bpffs), attach
// from_netdev, write the device and liveness, announce 10.0.10.0, and let arping from the peer
// get the node's MAC — then show what tc and bpftool see. Each step prints what it checked;
// a failed check throws, naming the step, and everything is torn down (also on Ctrl-C).
// (`waggle lab demo` is the full lab story in src/cli/lab.ts.)
import type { Command } from 'commander';
import { BpfObject } from '../bpf/index.js';
import { L2_RESPONDER_V4_MAP } from '../datapath/maps/l2-responder.js';
import { runtimeConfigName } from '../datapath/maps/runtime-config.js';
import { DEFAULT_MAX_LIVENESS_NS, HOST_OBJECT_PATH } from '../datapath/host-datapath.js';
import { arping } from '../datapath/testing/arping.js';
import { createResponderLab, LAB_VIP, type ResponderLab } from '../datapath/testing/responder-lab.js';
import { sh } from '../testing/exec.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

function check(step: string, ok: boolean, detail: string): void {
  if (!ok) throw new Error(`datapath demo: step ${step}: ${detail}`);
  say(`ok   ${step.padEnd(9)} ${detail}`);
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `       ${l}`)
    .join('\n');

async function demo(): Promise<void> {
  // Step 1 needs no namespace: without privileges it fails here, with the kernel's answer.
  const probe = BpfObject.open(HOST_OBJECT_PATH);
  try {
    probe.load();
    check('verify', probe.programNames().includes('from_netdev'), `${HOST_OBJECT_PATH} passes the verifier`);
  } finally {
    probe.close();
  }

  let lab: ResponderLab | undefined;
  const teardown = () => {
    lab?.destroy();
    lab = undefined;
  };
  const onSignal = () => {
    teardown();
    process.stderr.write('waggle: datapath demo interrupted; namespaces and bpffs removed\n');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    lab = createResponderLab({ maxLivenessNs: DEFAULT_MAX_LIVENESS_NS });
    const l = lab;
    check('lab', true, `netns ${l.node.name} (${l.nodeDev}, ${l.nodeMac}) ↔ ${l.peer.name} (${l.peerDev})`);
    check('pin', l.dp.responder.count() === 0, `maps pinned in ${l.dp.pinDir}, responder empty`);

    const tc = l.node.exec('tc', ['filter', 'show', 'dev', l.nodeDev, 'ingress']).stdout;
    check('attach', /from_netdev.*direct-action/.test(tc), `tc filter show dev ${l.nodeDev} ingress:`);
    say(indent(tc));

    l.dp.devices.set(l.nodeIfindex, { mac: l.nodeMac });
    l.touchLiveness();
    const rows = l.dp.runtimeConfig.entries().filter(([, v]) => v !== 0n);
    check(
      'liveness',
      rows.some(([k]) => k === 1),
      'waggle_runtime_config (non-zero entries):',
    );
    say(indent(rows.map(([k, v]) => `${runtimeConfigName(k)}: ${v}`).join('\n')));

    l.dp.responder.set({ ip: LAB_VIP, ifindex: l.nodeIfindex }, { responsesSent: 0n });
    check(
      'announce',
      l.dp.responder.has({ ip: LAB_VIP, ifindex: l.nodeIfindex }),
      `${LAB_VIP} on ifindex ${l.nodeIfindex}`,
    );

    const res = await arping(l.peer, l.peerDev, LAB_VIP, { count: 3, intervalS: 0.2, deadlineS: 5 });
    const fromNode = res.replies.filter((r) => r.mac === l.nodeMac && r.ip === LAB_VIP);
    check(
      'arping',
      fromNode.length === 3,
      `${fromNode.length}/3 replies "${LAB_VIP} is-at ${l.nodeMac}" from ${l.peer.name}`,
    );
    say(indent(res.output));

    const path = `${l.dp.pinDir}/${L2_RESPONDER_V4_MAP}`;
    const dump = sh('bpftool', ['map', 'dump', 'pinned', path]).stdout;
    const counted = dump.includes('"ip4": 655370') && dump.includes(`"responses_sent": ${fromNode.length}`);
    check('map', counted, `bpftool map dump pinned ${path} ("ip4": 655370 is ${LAB_VIP}):`);
    say(indent(dump));
  } finally {
    teardown();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  say('ok   teardown  namespaces, tc filter and bpffs removed');
}

export function registerDatapathDemo(program: Command): void {
  program
    .command('datapath')
    .description('the eBPF host datapath on its own')
    .command('demo')
    .description('answer ARP for 10.0.10.0 from eBPF in two throwaway namespaces, checking each step')
    .action(demo);
}

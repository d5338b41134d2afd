// Every host-path case (eBPF host routing, eBPF masquerading) through BPF_PROG_TEST_RUN, inside
// a namespace holding the routes the FIB lookups see.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TcAct } from '../../bpf/index.js';
import { type TempBpffs, tempBpffs } from '../../testing/bpffs.js';
import type { TestNetns } from '../../testing/netns.js';
import { hostRoutingCases } from '../cases/host-routing.js';
import { lbCases } from '../cases/lb.js';
import { lbLifecycleCases } from '../cases/lb-lifecycle.js';
import { lbPolicyCases } from '../cases/lb-policies.js';
import { natCases } from '../cases/nat.js';
import { natReuseCases } from '../cases/nat-reuse.js';
import { hostPathNetns } from './host-path-netns.js';
import { runHostPathCase } from './host-path-runner.js';

const cases = [
  ...hostRoutingCases,
  ...natCases,
  ...natReuseCases,
  ...lbCases,
  ...lbPolicyCases,
  ...lbLifecycleCases,
];

describe('host routing, masquerading and service LB cases (BPF_PROG_TEST_RUN, exact bytes)', () => {
  let fs: TempBpffs;
  let ns: TestNetns;
  before(() => {
    fs = tempBpffs();
    ns = hostPathNetns();
  });
  after(() => {
    ns?.destroy();
    fs?.cleanup();
  });

  test('the cases are there and uniquely named', () => {
    assert.ok(
      hostRoutingCases.length >= 10 &&
        natCases.length + natReuseCases.length >= 20 &&
        lbCases.length + lbPolicyCases.length + lbLifecycleCases.length >= 17,
      `${cases.length} cases`,
    );
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  });

  test('the runner reports a wrong verdict, a wrong frame, a missing NAT row and a missing drop', () => {
    const flow = natCases.find((c) => c.name === 'no free port');
    assert.ok(flow);
    const problems = runHostPathCase(
      {
        ...flow,
        name: 'deliberately wrong',
        steps: flow.steps.map((s) => ({ ...s, expect: { verdict: TcAct.OK, frame: Buffer.alloc(4) } })),
        expect: { snat: [] },
      },
      fs.dir,
      ns.name,
    ).join('\n');
    assert.match(problems, /verdict SHOT, want OK/);
    assert.match(problems, /frame: length/);
    assert.match(problems, /snat:/);
    assert.match(problems, /drops \[167=1\], want \[\]/);
  });

  for (const c of cases) {
    test(`${c.name}: ${c.why}`, () => {
      assert.deepEqual(runHostPathCase(c, fs.dir, ns.name), []);
    });
  }
});

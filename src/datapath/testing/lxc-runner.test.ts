// Every pod datapath case through BPF_PROG_TEST_RUN on build/bpf/bpf_lxc.o.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TcAct } from '../../bpf/index.js';
import { type TempBpffs, tempBpffs } from '../../testing/bpffs.js';
import { lxcCases } from '../cases/lxc.js';
import { runLxcCase } from './lxc-runner.js';

describe('pod datapath cases (BPF_PROG_TEST_RUN, exact bytes)', () => {
  let fs: TempBpffs;
  before(() => {
    fs = tempBpffs();
  });
  after(() => fs.cleanup());

  test('the cases are there and uniquely named', () => {
    assert.ok(lxcCases.length >= 20, `only ${lxcCases.length} cases`);
    assert.equal(new Set(lxcCases.map((c) => c.name)).size, lxcCases.length);
  });

  test('the runner reports a wrong verdict, a missing drop and a wrong record count', () => {
    const spoofed = lxcCases.find((c) => c.name === 'spoofed source');
    assert.ok(spoofed);
    const problems = runLxcCase(
      { ...spoofed, name: 'deliberately wrong', expect: { verdict: TcAct.OK, frame: 'unchanged' } },
      fs.dir,
    ).join('\n');
    assert.match(problems, /verdict SHOT, want OK/);
    assert.match(problems, /drops \[132=1\], want \[\]/);
    assert.match(problems, /waggle_events grew 184 B, want 0 B/);
  });

  for (const c of lxcCases) {
    test(`${c.name}: ${c.why}`, () => {
      assert.deepEqual(runLxcCase(c, fs.dir), []);
    });
  }
});

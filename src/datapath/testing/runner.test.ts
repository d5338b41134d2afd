// Every case in src/datapath/cases/ through BPF_PROG_TEST_RUN on build/bpf/bpf_host.o.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TempBpffs, tempBpffs } from '../../testing/bpffs.js';
import { allCases } from '../cases/index.js';
import { l2AnnouncementCases } from '../cases/l2-announcement.js';
import { runCase } from './runner.js';

describe('datapath cases (BPF_PROG_TEST_RUN, exact bytes)', () => {
  let fs: TempBpffs;
  before(() => {
    fs = tempBpffs();
  });
  after(() => fs.cleanup());

  test('the runner found cases', () => {
    // A runner that silently finds nothing must not look like a pass.
    assert.ok(allCases.length >= 10, `only ${allCases.length} cases`);
    assert.equal(new Set(allCases.map((c) => c.name)).size, allCases.length, 'case names are unique');
  });

  test('the runner reports a wrong verdict, a wrong byte and a wrong counter', () => {
    const happy = l2AnnouncementCases.find((c) => c.name === 'happy path');
    assert.ok(happy && happy.expect.frame !== 'unchanged');
    const wrongFrame = Buffer.from(happy.expect.frame);
    wrongFrame[33] = (wrongFrame[33] ?? 0) ^ 0xff; // one byte of ar_tha
    const res = runCase(
      {
        ...happy,
        name: 'deliberately wrong',
        expect: {
          verdict: 0,
          frame: wrongFrame,
          responsesSent: [{ key: { ip: '10.0.10.0', ifindex: 2 }, count: 5n }],
        },
      },
      fs.dir,
    );
    assert.equal(res.ok, false);
    assert.match(res.problems.join('\n'), /verdict REDIRECT, want OK/);
    assert.match(res.problems.join('\n'), /frame: bytes differ @33/);
    assert.match(res.problems.join('\n'), /responses_sent\[10\.0\.10\.0@2\] 1, want 5/);
  });

  for (const c of allCases) {
    test(`${c.name}: ${c.why}`, () => {
      const res = runCase(c, fs.dir);
      assert.deepEqual(res.problems, []);
      assert.equal(res.ok, true);
    });
  }
});

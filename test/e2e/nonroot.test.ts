// Without privileges, commands that need the kernel fail with one line that says what is
// missing — never a stack trace. nobody runs a copy of the CLI (src/testing/unprivileged.ts), so
// this holds wherever the checkout lives, also under a directory nobody cannot enter.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sh } from '../../src/testing/exec.js';
import { type CliCopy, cliCopyForNobody } from '../../src/testing/unprivileged.js';

let cli: CliCopy | undefined;
before(() => {
  cli = cliCopyForNobody();
  process.stdout.write(`CLI copy for nobody in ${cli.dir}: ${cli.copyMs} ms\n`);
});
after(() => cli?.remove());

function asNobody(args: string[]) {
  if (!cli) throw new Error('nonroot test: the CLI copy was not made');
  return cli.run(args);
}

test('preflight as nobody: exit 1, one line naming the missing capabilities, kernel EPERM shown', () => {
  const res = asNobody(['preflight', '--object', 'build/bpf/tests/binding_test.o']);
  assert.equal(res.code, 1);
  const errLines = res.stderr.trim().split('\n');
  assert.equal(errLines.length, 1, `stderr was: ${res.stderr}`);
  assert.match(errLines[0] ?? '', /^waggle: preflight: privileges: missing CAP_BPF and CAP_NET_ADMIN/);
  // The load was really attempted and the kernel refused it; the line carries the hint.
  assert.match(res.stdout, /FAIL load .*operation not permitted \[EPERM\] \(are you root/);
  assert.doesNotMatch(res.stdout + res.stderr, /^\s+at /m);
});

test('preflight as root passes the privilege and load checks', () => {
  const res = sh(
    process.execPath,
    ['bin/waggle.js', 'preflight', '--object', 'build/bpf/tests/binding_test.o'],
    {
      allowFail: true,
    },
  );
  assert.match(res.stdout, /ok {3}privileges/);
  assert.match(res.stdout, /ok {3}load +loaded build\/bpf\/tests\/binding_test.o \(test_prog\)/);
});

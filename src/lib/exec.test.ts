import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecError, firstLine, run } from './exec.js';

test('run returns exit code, stdout and stderr', async () => {
  const r = await run('sh', ['-c', 'echo out; echo err >&2'], { timeoutMs: 5000 });
  assert.deepEqual(r, { code: 0, stdout: 'out\n', stderr: 'err\n' });
});

test('input goes to stdin; env is added to the environment', async () => {
  const r = await run('sh', ['-c', 'read line; echo "$line/$WAGGLE_T"'], {
    timeoutMs: 5000,
    input: 'hello\n',
    env: { WAGGLE_T: 'x' },
  });
  assert.equal(r.stdout, 'hello/x\n');
  assert.equal(process.env.WAGGLE_T, undefined, 'env is not leaked into this process');
});

test('a non-zero exit throws an ExecError naming command, code and the first stderr line', async () => {
  const err = await run('sh', ['-c', 'echo; echo "Cannot find device" >&2; echo more >&2; exit 3'], {
    timeoutMs: 5000,
  }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ExecError);
  assert.equal(
    err.message,
    'run sh -c echo; echo "Cannot find device" >&2; echo more >&2; exit 3: exited 3: Cannot find device',
  );
  assert.equal(err.code, 'EEXIT');
  assert.equal(err.exitCode, 3);
  assert.equal(err.stderr, 'Cannot find device\nmore\n');
});

test('allowFail returns the failing result instead', async () => {
  const r = await run('sh', ['-c', 'exit 2'], { timeoutMs: 5000, allowFail: true });
  assert.equal(r.code, 2);
});

test('a timeout kills the child it started and says so', async () => {
  const started = Date.now();
  const err = await run('sh', ['-c', 'echo $$; exec sleep 30'], { timeoutMs: 200, allowFail: true }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ExecError);
  assert.equal(err.code, 'ETIMEDOUT');
  assert.match(err.message, /^run sh -c echo \$\$; exec sleep 30: timed out after 200ms \(killed pid \d+\)$/);
  assert.ok(Date.now() - started < 5000, 'returned long before sleep would have ended');
  const pid = Number(/killed pid (\d+)/.exec(err.message)?.[1]);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the child is gone');
});

test('a missing binary is an ESPAWN error with a hint', async () => {
  await assert.rejects(run('waggle-no-such-tool', ['x'], { timeoutMs: 5000 }), {
    name: 'ExecError',
    code: 'ESPAWN',
    message:
      'run waggle-no-such-tool x: cannot start: ENOENT (is waggle-no-such-tool installed and on PATH?)',
  });
});

test('runaway output is cut off', async () => {
  await assert.rejects(run('yes', [], { timeoutMs: 5000, maxOutputBytes: 4096 }), {
    code: 'EOUTPUT',
    message: 'run yes: stdout exceeded 4096 bytes',
  });
});

test('a background job holding the pipes does not keep the call waiting', async () => {
  // The shell exits at once; its sleep keeps stdout open. The pid is printed so the test can
  // stop the sleep it caused.
  const started = Date.now();
  const r = await run('sh', ['-c', 'sleep 5 & echo $!'], { timeoutMs: 4000 });
  assert.equal(r.code, 0);
  assert.ok(Date.now() - started < 2000, `waited ${Date.now() - started}ms for a grandchild`);
  const pid = Number(r.stdout.trim());
  assert.ok(pid > 0);
  process.kill(pid, 'SIGKILL');
});

test('the event loop keeps running while a child runs', async () => {
  let ticks = 0;
  const t = setInterval(() => ticks++, 10);
  await run('sleep', ['0.3'], { timeoutMs: 5000 });
  clearInterval(t);
  assert.ok(ticks >= 10, `only ${ticks} timer ticks during a 300 ms child`);
});

test('firstLine skips blank lines', () => {
  assert.equal(firstLine('\n  \nError: x\ny'), 'Error: x');
  assert.equal(firstLine(''), '');
});

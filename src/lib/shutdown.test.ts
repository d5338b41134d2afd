import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { exitOnSignal, type ShutdownStep } from './shutdown.js';

/** A process stand-in: signals are emitted by the test, exit codes are recorded. */
function fakeProcess() {
  const em = new EventEmitter();
  const codes: number[] = [];
  let exited: (code: number) => void = () => {};
  const firstExit = new Promise<number>((r) => (exited = r));
  return {
    proc: {
      on: (s: 'SIGINT' | 'SIGTERM', l: () => void) => em.on(s, l),
      off: (s: 'SIGINT' | 'SIGTERM', l: () => void) => em.off(s, l),
      exit: (code: number) => {
        codes.push(code);
        exited(code);
      },
    },
    signal: (s: 'SIGINT' | 'SIGTERM') => em.emit(s),
    codes,
    firstExit,
  };
}

const never = () => new Promise<void>(() => {});
const step = (name: string, run: () => Promise<void>, ran: string[]): ShutdownStep => ({
  name,
  run: () => {
    ran.push(name);
    return run();
  },
});

test('first signal: the steps run in order, then exit 0', async () => {
  const p = fakeProcess();
  const ran: string[] = [];
  const lines: string[] = [];
  const sd = exitOnSignal({
    name: 'op',
    steps: [step('a', async () => {}, ran), step('b', async () => {}, ran)],
    log: (l) => lines.push(l),
    proc: p.proc,
  });
  p.signal('SIGTERM');
  assert.equal(await p.firstExit, 0);
  assert.deepEqual(ran, ['a', 'b']);
  assert.deepEqual(lines, ['op: SIGTERM, shutting down']);
  sd.dispose();
});

test('a step that never finishes: exit 1 after the deadline, one line naming what was left', async () => {
  const p = fakeProcess();
  const ran: string[] = [];
  const lines: string[] = [];
  const sd = exitOnSignal({
    name: 'op',
    steps: [step('a', async () => {}, ran), step('b', never, ran), step('c', async () => {}, ran)],
    log: (l) => lines.push(l),
    graceMs: 50,
    proc: p.proc,
  });
  const t0 = performance.now();
  p.signal('SIGINT');
  assert.equal(await p.firstExit, 1);
  const ms = performance.now() - t0;
  assert.ok(ms >= 45 && ms < 1000, `exited after ${ms} ms`);
  assert.deepEqual(ran, ['a', 'b']);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.equal(lines[1], 'op: shutdown deadline (50 ms) passed; did not finish: b (running), c');
  sd.dispose();
});

test('a second signal during a slow stop exits at once with 128 + signal number', async () => {
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    const p = fakeProcess();
    const sd = exitOnSignal({ name: 'op', steps: [step('slow', never, [])], log: () => {}, proc: p.proc });
    p.signal(sig);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(p.codes, [], 'still stopping');
    p.signal(sig);
    assert.deepEqual(p.codes, [code]);
    sd.dispose();
  }
});

test('a failing step is reported and the next steps still run; stop() alone does not exit', async () => {
  const p = fakeProcess();
  const ran: string[] = [];
  const lines: string[] = [];
  const sd = exitOnSignal({
    name: 'op',
    steps: [
      step(
        'a',
        async () => {
          throw new Error('store: closed');
        },
        ran,
      ),
      step('b', async () => {}, ran),
    ],
    log: (l) => lines.push(l),
    proc: p.proc,
  });
  assert.equal(await sd.stop(), true);
  assert.equal(await sd.stop(), true, 'second call returns the first result');
  assert.deepEqual(ran, ['a', 'b'], 'steps ran once');
  assert.deepEqual(lines, ['op: shutdown: a: store: closed']);
  assert.deepEqual(p.codes, []);
  sd.dispose();
});

// End to end: `waggle operator` and `waggle agent` exit within 2 s of SIGTERM or SIGINT whatever
// their etcd is doing — up, down (stopped, data kept) or stalled (SIGSTOPped: connections open,
// no answers) — and a second signal during a slow shutdown exits at once with 128 + signal
// number. An init system or a DaemonSet rollout waits on exactly this. Root, bpffs and a test
// network namespace are needed for the agent (it attaches to veth0 there).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExitHarness, type Kind, type StoreState, sleep } from './exit-harness.js';

const EXIT_WITHIN_MS = 2000;
/** After the second signal: no graceful work at all, only process teardown. */
const SECOND_SIGNAL_WITHIN_MS = 500;
const SIGNO = { SIGINT: 2, SIGTERM: 15 } as const;
/** How long the store stays in its state before the signal: clients have noticed by then. */
const SETTLE_MS = 1000;

describe('waggle operator and agent exit promptly on a signal', { timeout: 300_000 }, () => {
  const h = new ExitHarness();
  const measured: string[] = [];

  before(async () => {
    await h.setUp();
  });

  after(async () => {
    if (measured.length > 0) process.stdout.write(`exit times:\n${measured.join('\n')}\n`);
    await h.destroy();
  });

  /** Starts `kind` with the store up and waits until it is doing its job (the agent leads). */
  async function running(kind: Kind) {
    await h.setState('up');
    const r = h.start(kind);
    if (kind === 'operator') await h.waitOutput(r, /operator: running/, 20_000);
    else await h.waitLeading(r, 30_000);
    return r;
  }

  for (const kind of ['operator', 'agent'] as const) {
    for (const state of ['up', 'down', 'stalled'] as const satisfies readonly StoreState[]) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        it(`${kind}: ${signal} with the store ${state} exits within ${EXIT_WITHIN_MS} ms`, async (t) => {
          const r = await running(kind);
          await h.setState(state);
          await sleep(SETTLE_MS);
          const got = await h.signalAndTime(r, signal);
          const line = `${kind.padEnd(8)} ${signal.padEnd(7)} store ${state.padEnd(7)} ${String(got.ms).padStart(6)} ms  exit ${got.code ?? got.signal}`;
          measured.push(line);
          t.diagnostic(line);
          assert.ok(got.ms < EXIT_WITHIN_MS, `${line}\n${r.output()}`);
          assert.equal(got.signal, null, `exited by itself, not killed: ${line}`);
          // 0 = graceful stop finished; 1 = the deadline cut it short and said what was left.
          assert.ok(got.code === 0 || got.code === 1, line);
          if (got.code === 1) assert.match(r.output(), /did not finish/, r.output());
          if (state === 'up') assert.equal(got.code, 0, `with the store up the stop is clean\n${r.output()}`);
        });
      }
    }
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`agent: a second ${signal} during a slow shutdown (store stalled) exits at once`, async (t) => {
      const r = await running('agent');
      await h.setState('stalled');
      await sleep(SETTLE_MS);
      r.child.kill(signal);
      // Releasing the lease against a stalled store cannot finish: the shutdown is slow.
      await h.waitOutput(r, new RegExp(`${signal}\\W+shutting down`), 1000);
      await sleep(300);
      assert.equal(r.child.exitCode, null, 'still shutting down when the second signal comes');
      const got = await h.signalAndTime(r, signal);
      const line = `agent    2nd ${signal.padEnd(7)} store stalled ${String(got.ms).padStart(6)} ms  exit ${got.code ?? got.signal}`;
      measured.push(line);
      t.diagnostic(line);
      assert.ok(got.ms < SECOND_SIGNAL_WITHIN_MS, `${line}\n${r.output()}`);
      assert.equal(got.code, 128 + SIGNO[signal], `${line}\n${r.output()}`);
    });
  }
});

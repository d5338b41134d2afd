// ModuleList: start in order, stop in reverse; a failed start stops what started (the failed
// module first) with reason 'failed-start'; a stop that hangs is given up after the budget.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AgentModule,
  MODULE_STOP_BUDGET_MS,
  ModuleList,
  ModuleStartError,
  type StopReason,
} from './module.js';

function recorder() {
  const events: string[] = [];
  const mod = (name: string, opts: { failStart?: boolean; hangStop?: boolean } = {}): AgentModule => ({
    name,
    start: async () => {
      events.push(`start ${name}`);
      if (opts.failStart) throw new Error('boom');
    },
    stop: (reason: StopReason) => {
      events.push(`stop ${name} ${reason}`);
      return opts.hangStop ? new Promise<void>(() => {}) : undefined;
    },
  });
  return { events, mod };
}

describe('ModuleList', () => {
  test('starts in order and stops in reverse', async () => {
    const { events, mod } = recorder();
    const list = new ModuleList([mod('a'), mod('b'), mod('c')], () => {});
    await list.start();
    assert.deepEqual(
      list.states().map((s) => s.state),
      ['running', 'running', 'running'],
    );
    await list.stop();
    assert.deepEqual(events, [
      'start a',
      'start b',
      'start c',
      'stop c shutdown',
      'stop b shutdown',
      'stop a shutdown',
    ]);
    assert.deepEqual(
      list.states().map((s) => s.state),
      ['stopped', 'stopped', 'stopped'],
    );
  });

  test('a failed start stops the failed module, then the started ones in reverse, and names the module', async () => {
    const { events, mod } = recorder();
    const list = new ModuleList([mod('a'), mod('b'), mod('c', { failStart: true }), mod('d')], () => {});
    await assert.rejects(
      list.start(),
      (err: unknown) => err instanceof ModuleStartError && err.module === 'c',
    );
    assert.deepEqual(events, [
      'start a',
      'start b',
      'start c',
      'stop c failed-start',
      'stop b failed-start',
      'stop a failed-start',
    ]);
    assert.equal(list.state('c'), 'failed');
    assert.equal(list.state('d'), 'stopped', 'never started');
    await list.stop();
    assert.equal(events.length, 6, 'a second stop stops nothing twice');
  });

  test('a stop that hangs is given up after the budget and the rest still stop', async () => {
    const { events, mod } = recorder();
    const logs: string[] = [];
    const list = new ModuleList([mod('store'), mod('l2', { hangStop: true })], (m) => logs.push(m));
    await list.start();
    const t0 = Date.now();
    await list.stop();
    const took = Date.now() - t0;
    assert.ok(took >= MODULE_STOP_BUDGET_MS - 5 && took < MODULE_STOP_BUDGET_MS + 500, `took ${took} ms`);
    assert.deepEqual(events.slice(2), ['stop l2 shutdown', 'stop store shutdown']);
    assert.deepEqual(logs, [`module l2: stop did not finish within ${MODULE_STOP_BUDGET_MS}ms; going on`]);
  });

  test('two modules with one name are refused', () => {
    const { mod } = recorder();
    assert.throws(() => new ModuleList([mod('a'), mod('a')], () => {}), /module a: listed twice/);
  });
});

// The whole demo, non-interactively: `waggle lab demo` must pass every step (it exits non-zero
// naming the first failed step), and a torn-down lab must leave nothing behind. It needs the
// agent, the operator and the store commands; until they exist it fails at the first step that
// uses them, by design.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { demoSteps } from '../../src/lab/demo/run.js';
import { leftovers, waggle } from './lab-helpers.js';

after(() => {
  waggle(['lab', 'down']);
});

test('lab demo: every step of the seed story passes', () => {
  const res = waggle(['lab', 'demo'], 600_000);
  const failed = /demo step "([^"]+)" failed: (.*)/.exec(res.stderr);
  assert.equal(res.code, 0, failed ? `step "${failed[1]}": ${failed[2]}` : res.stderr);
  for (const [i, step] of demoSteps(true).entries()) {
    assert.ok(res.stdout.includes(`== [${i + 1}/11] ${step.name}`), `step ran: ${step.name}`);
  }
  assert.equal(res.stdout.match(/step done in/g)?.length, 11);
  assert.match(res.stdout, /failover \(kill → first reply from node-[01]\) +\d+ ms/);
  assert.match(res.stdout, /"ip4": 655370/);
});

test('after the demo, lab down leaves nothing', () => {
  assert.equal(waggle(['lab', 'down']).code, 0);
  assert.deepEqual(leftovers(), []);
});

#!/usr/bin/env node
// Runs every compiled test file under dist/ with node's own test runner, so the last lines of
// the output are node:test's summary (tests / pass / fail). Optional arguments are substrings a
// test file's path must contain (e.g. `node scripts/run-tests.mjs store lbipam`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const roots = ['dist/src', 'dist/test', 'dist/bench'].filter((d) => {
  try {
    return statSync(d).isDirectory();
  } catch {
    return false;
  }
});
const files = roots
  .flatMap(findTests)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (files.length === 0) {
  // A run that finds nothing must not look like a pass.
  process.stderr.write('run-tests: no test files found under dist/ (did the build run?)\n');
  process.exit(1);
}

const res = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-timeout=600000', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);

#!/usr/bin/env node
// Keeps `npm ci` working with the registry this project is built from, which serves only the
// Linux builds of packages that ship one binary package per platform (e.g. @biomejs/cli-*).
// npm then writes no lock entries for the other platforms' optional packages, and `npm ci`
// refuses the lock as out of sync. This adds those entries back, marked optional with the os/cpu
// their names state, so npm skips them on every platform they are not for. Run it after
// `npm install` changes package-lock.json; it only adds entries that are missing.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = 'package-lock.json';
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const pkgs = lock.packages;
const platform = /-(android|darwin|linux|win32|freebsd)-(arm64|x64|ia32|arm)(?:-(musl|gnu|msvc))?$/;

let added = 0;
for (const meta of Object.values(pkgs)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const target = `node_modules/${dep}`;
    const m = platform.exec(dep);
    if (pkgs[target] || !m) continue;
    const [, os, cpu, libc] = m;
    pkgs[target] = {
      version,
      cpu: [cpu],
      ...(meta.dev ? { dev: true } : {}),
      ...(libc === 'musl' ? { libc: ['musl'] } : {}),
      optional: true,
      os: [os],
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lock-platforms: added ${added} entr${added === 1 ? 'y' : 'ies'}\n`);

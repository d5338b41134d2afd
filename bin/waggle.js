#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript under dist/. Keeping this file plain JS means
// `npx waggle` works from the repo root without a TypeScript loader.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('waggle: not built yet; run `make build` in the repository root first\n');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));

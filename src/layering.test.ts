// The layering rules of the source tree, checked on every import of every file under src/:
//   1. only src/bpf/native.ts imports koffi (one FFI module);
//   2. the kernel layer (src/bpf) imports nothing of waggle outside itself and src/lib;
//   3. feature folders never import each other (what two features share lives below both:
//      src/api, src/store, src/datapath, src/bpf, src/lib);
//   4. product code never imports test helpers (src/testing, src/datapath/testing, *.test.ts,
//      test/) nor the lab (src/lab): the lab emulates Kubernetes around the product, never inside it;
//   5. the CNI plugin (src/cni) imports only node: builtins, itself and the agent protocol
//      (src/api/cni-protocol.ts): a runtime starts it for every pod, so it must start fast.
// Each rule is also run on a small made-up tree that breaks it, so a rule that can no longer
// fail would be noticed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, test } from 'node:test';

const FEATURES = [
  'lbipam',
  'l2announcer',
  'nodelifecycle',
  'events',
  'ipam',
  'identity',
  'endpoints',
  'cni',
  'masquerade',
  'routing',
  'health',
  'services',
];
const CNI_MAY_IMPORT = ['src/api/cni-protocol.ts'];
/** Composition and the lab: may import any feature. */
const LAB_SIDE = [
  'src/lab/',
  'src/cli/lab.ts',
  'src/cli/demo.ts',
  // exec and logs reach pods through the lab kubelet's runtime layout, as kubectl through a kubelet.
  'src/cli/exec.ts',
  // connectivity test execs into its pods the same way.
  'src/cli/connectivity.ts',
  'src/datapath/testing/',
  'src/datapath/cases/',
  'src/testing/',
];

interface SourceFile {
  path: string;
  imports: string[];
}

function topFolder(path: string): string {
  return path.split('/')[1] ?? '';
}

const isTestFile = (p: string) => /\.test\.ts$|\.test-helper\.ts$/.test(p) || p.startsWith('test/');
const isLabSide = (p: string) => LAB_SIDE.some((prefix) => p.startsWith(prefix));
const isTestHelper = (p: string) =>
  p.startsWith('src/testing/') || p.startsWith('src/datapath/testing/') || isTestFile(p);

/** Every rule broken by one import, as "file → import: rule". */
export function violations(files: SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (isTestFile(f.path)) continue;
    for (const spec of f.imports) {
      const target = spec.startsWith('.')
        ? normalize(join(dirname(f.path), spec)).replace(/\.js$/, '.ts')
        : spec;
      const say = (rule: string) => out.push(`${f.path} → ${spec}: ${rule}`);
      if (target === 'koffi' && f.path !== 'src/bpf/native.ts')
        say('only src/bpf/native.ts may import koffi');
      if (
        f.path.startsWith('src/cni/') &&
        !target.startsWith('node:') &&
        !target.startsWith('src/cni/') &&
        !CNI_MAY_IMPORT.includes(target)
      )
        say('the CNI plugin imports only node: builtins and src/api/cni-protocol.ts');
      if (!target.startsWith('src/') && !target.startsWith('test/')) continue;
      const from = topFolder(f.path);
      const to = topFolder(target);
      if (from === 'bpf' && to !== 'bpf' && to !== 'lib') say('the kernel layer (src/bpf) knows no feature');
      if (FEATURES.includes(from) && FEATURES.includes(to) && from !== to)
        say(`feature ${from} must not import feature ${to}`);
      if (!isLabSide(f.path) && isTestHelper(target)) say('product code must not import test helpers');
      if (!isLabSide(f.path) && target.startsWith('src/lab/')) say('product code must not import the lab');
    }
  }
  return out;
}

function sourceFiles(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        const imports = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map(
          (m) => m[1] ?? '',
        );
        const dynamic = [...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? '');
        out.push({ path: relative(process.cwd(), p), imports: [...imports, ...dynamic] });
      }
    }
  };
  walk(root);
  return out;
}

describe('layering', () => {
  test('the source tree keeps every layering rule', () => {
    const files = sourceFiles('src');
    assert.ok(files.length > 100, `read ${files.length} files under src/ (run from the repository root)`);
    assert.ok(
      files.some((f) => f.path === 'src/bpf/native.ts' && f.imports.includes('koffi')),
      'the import scan sees native.ts importing koffi',
    );
    assert.deepEqual(violations(files), []);
  });

  test('each rule reports a tree that breaks it', () => {
    const broken: SourceFile[] = [
      { path: 'src/agent/x.ts', imports: ['koffi'] },
      { path: 'src/bpf/map2.ts', imports: ['../l2announcer/reconciler.js'] },
      { path: 'src/lbipam/y.ts', imports: ['../l2announcer/selection.js'] },
      { path: 'src/agent/z.ts', imports: ['../testing/exec.js', '../lab/topology.js'] },
      { path: 'src/agent/z.test.ts', imports: ['../testing/exec.js'] },
      { path: 'src/lab/up.ts', imports: ['../testing/exec.js'] },
      { path: 'src/cni/x.ts', imports: ['node:http', '../api/cni-protocol.js', './env.js', 'zod'] },
      { path: 'src/cni/y.ts', imports: ['../lib/errors.js'] },
    ];
    assert.deepEqual(violations(broken), [
      'src/agent/x.ts → koffi: only src/bpf/native.ts may import koffi',
      'src/bpf/map2.ts → ../l2announcer/reconciler.js: the kernel layer (src/bpf) knows no feature',
      'src/lbipam/y.ts → ../l2announcer/selection.js: feature lbipam must not import feature l2announcer',
      'src/agent/z.ts → ../testing/exec.js: product code must not import test helpers',
      'src/agent/z.ts → ../lab/topology.js: product code must not import the lab',
      'src/cni/x.ts → zod: the CNI plugin imports only node: builtins and src/api/cni-protocol.ts',
      'src/cni/y.ts → ../lib/errors.js: the CNI plugin imports only node: builtins and src/api/cni-protocol.ts',
    ]);
  });
});

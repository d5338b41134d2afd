// cilium-cli's way of printing a connectivity test: one line per test as it finishes (✅, ❌ with
// each failing action's command and error, ⏭️ with the reason it was skipped), then
// "📋 Test Report" and the counts. Skipped tests are counted apart, never as successful.
import type { Step } from './scenarios.js';

export interface Result {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  steps: Step[];
  skipReason?: string;
}

export function resultLines(r: Result): string[] {
  if (r.status === 'skipped') return [`⏭️  [${r.name}] skipped: ${r.skipReason ?? ''}`];
  if (r.status === 'passed') return [`✅ [${r.name}] ${r.steps.map((s) => s.desc).join('; ')}`];
  const lines = [`❌ [${r.name}]`];
  for (const s of r.steps) {
    if (s.outcome.ok) {
      lines.push(`   ✅ ${s.desc}`);
      continue;
    }
    lines.push(`   ❌ ${s.desc}`);
    if (s.outcome.shown) lines.push(`      command: ${s.outcome.shown}`);
    lines.push(`      error: ${s.outcome.detail}`);
  }
  return lines;
}

export function summaryLines(results: Result[], elapsedMs: number): string[] {
  const ran = results.filter((r) => r.status !== 'skipped');
  const passed = ran.filter((r) => r.status === 'passed').length;
  const failed = ran.filter((r) => r.status === 'failed');
  const skipped = results.length - ran.length;
  const lines = ['', '📋 Test Report'];
  const icon = failed.length === 0 ? '✅' : '❌';
  lines.push(
    `${icon} ${passed}/${ran.length} tests successful (${skipped} skipped) in ${(elapsedMs / 1000).toFixed(1)} s`,
  );
  if (failed.length > 0) {
    lines.push(`❌ ${failed.length} tests failed:`);
    for (const f of failed) lines.push(`  - ${f.name}`);
  }
  return lines;
}
